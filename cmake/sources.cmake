# One list of our C++ sources and one warning set, for both build systems: binding.gyp (the
# canonical build) holds them, and CMake reads them from there, so a file added to the addon or a
# warning added to the set is added once.
#
# Included by the top-level CMakeLists.txt first. Sets:
#   NSSH_CORE_SOURCES     the native_ssh target's native/core/ files (absolute paths)
#   NSSH_BINDING_SOURCES  its native/binding/ files
#   NSSH_WARNINGS         binding.gyp's "nssh_warnings" (GCC and clang flags)
# and defines nssh_core_sources(<var> <file>...): <var> = the named files, relative to native/core/
# (a trailing "/" names a folder: every listed file under it), each checked against the list.

if(NOT DEFINED NSSH_ROOT)
  set(NSSH_ROOT "${CMAKE_CURRENT_SOURCE_DIR}")
endif()
set(NSSH_GYP "${NSSH_ROOT}/binding.gyp")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${NSSH_GYP}")

# Source lines look like `        "native/core/session.cc",` (one a line).
file(STRINGS "${NSSH_GYP}" nssh_gyp_sources REGEX "^[ ]*\"native/[^\"]+\\.cc\",?[ ]*$")
set(NSSH_CORE_SOURCES)
set(NSSH_BINDING_SOURCES)
foreach(line IN LISTS nssh_gyp_sources)
  string(REGEX REPLACE "^[ ]*\"([^\"]+)\".*$" "\\1" source "${line}")
  if(source MATCHES "^native/core/")
    list(APPEND NSSH_CORE_SOURCES "${NSSH_ROOT}/${source}")
  elseif(source MATCHES "^native/binding/")
    list(APPEND NSSH_BINDING_SOURCES "${NSSH_ROOT}/${source}")
  endif()
endforeach()
if(NOT NSSH_CORE_SOURCES OR NOT NSSH_BINDING_SOURCES)
  message(FATAL_ERROR "cmake/sources.cmake: no native/ sources found in binding.gyp")
endif()

# The warning set is one line: `"nssh_warnings": ["-Wall", "-Wextra", ...],`.
file(STRINGS "${NSSH_GYP}" nssh_gyp_warnings REGEX "\"nssh_warnings\"")
string(REGEX MATCHALL "\"-W[^\"]+\"" NSSH_WARNINGS "${nssh_gyp_warnings}")
list(TRANSFORM NSSH_WARNINGS REPLACE "\"" "")
if(NOT NSSH_WARNINGS)
  message(FATAL_ERROR "cmake/sources.cmake: no nssh_warnings found in binding.gyp")
endif()
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  set(NSSH_WARNINGS)
endif()

function(nssh_core_sources out)
  set(picked)
  foreach(name IN LISTS ARGN)
    set(found FALSE)
    foreach(source IN LISTS NSSH_CORE_SOURCES)
      string(LENGTH "${NSSH_ROOT}/native/core/${name}" prefix_length)
      string(SUBSTRING "${source}" 0 ${prefix_length} prefix)
      if((name MATCHES "/$" AND prefix STREQUAL "${NSSH_ROOT}/native/core/${name}")
         OR source STREQUAL "${NSSH_ROOT}/native/core/${name}")
        list(APPEND picked "${source}")
        set(found TRUE)
      endif()
    endforeach()
    if(NOT found)
      message(FATAL_ERROR "native/core/${name} is not in binding.gyp's source list")
    endif()
  endforeach()
  set(${out} ${picked} PARENT_SCOPE)
endfunction()
