# Core C++ targets without Node: the proxy handshake library, its unit tests and fuzz targets.
#
# Included by the top-level CMakeLists.txt after project() and enable_testing(). NSSH_ROOT is the
# repository root (defaults to the including directory, so a throwaway project elsewhere may set
# it). Targets:
#   nssh_proxy        static library, C++17, position-independent (it goes into the addon)
#   proxy_test        unit tests, registered with ctest
#   fuzz_socks4, fuzz_socks5, fuzz_http_connect
#                     libFuzzer targets, only with -DNSSH_FUZZ=ON and clang (scripts/fuzz.sh)

if(NOT DEFINED NSSH_ROOT)
  set(NSSH_ROOT "${CMAKE_CURRENT_SOURCE_DIR}")
endif()

option(NSSH_FUZZ "Build the libFuzzer targets (clang only)" OFF)

# base64.cc (shared with the known_hosts library) encodes the HTTP Basic credentials; wipe.cc
# zeroes the buffers that held them.
set(NSSH_PROXY_SOURCES
  ${NSSH_ROOT}/native/core/base64.cc
  ${NSSH_ROOT}/native/core/proxy/handshake.cc
  ${NSSH_ROOT}/native/core/proxy/http_connect.cc
  ${NSSH_ROOT}/native/core/proxy/socks4.cc
  ${NSSH_ROOT}/native/core/proxy/socks5.cc
  ${NSSH_ROOT}/native/core/wipe.cc
)

if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  set(NSSH_CORE_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion)
else()
  set(NSSH_CORE_WARNINGS)
endif()

add_library(nssh_proxy STATIC ${NSSH_PROXY_SOURCES})
# Sources include each other as "core/proxy/<file>.h".
target_include_directories(nssh_proxy PUBLIC ${NSSH_ROOT}/native)
target_compile_features(nssh_proxy PUBLIC cxx_std_17)
target_compile_options(nssh_proxy PRIVATE ${NSSH_CORE_WARNINGS})
set_target_properties(nssh_proxy PROPERTIES POSITION_INDEPENDENT_CODE ON CXX_EXTENSIONS OFF)

add_executable(proxy_test ${NSSH_ROOT}/native/test/core/proxy_test.cc)
target_include_directories(proxy_test PRIVATE ${NSSH_ROOT}/native/test/core)
target_compile_options(proxy_test PRIVATE ${NSSH_CORE_WARNINGS})
target_link_libraries(proxy_test PRIVATE nssh_proxy)
set_target_properties(proxy_test PROPERTIES CXX_EXTENSIONS OFF)
add_test(NAME proxy_test COMMAND proxy_test)

if(NSSH_FUZZ)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # The library is compiled again with coverage instrumentation (fuzzer-no-link) and the same
    # sanitizers, so that libFuzzer sees and checks the code under test, not only the driver.
    set(NSSH_FUZZ_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
                        -fno-omit-frame-pointer -g -O1)
    add_library(nssh_proxy_fuzz OBJECT ${NSSH_PROXY_SOURCES})
    target_include_directories(nssh_proxy_fuzz PUBLIC ${NSSH_ROOT}/native)
    target_compile_features(nssh_proxy_fuzz PUBLIC cxx_std_17)
    target_compile_options(nssh_proxy_fuzz PRIVATE ${NSSH_FUZZ_FLAGS} -fsanitize=fuzzer-no-link)
    foreach(target_name fuzz_socks4 fuzz_socks5 fuzz_http_connect)
      add_executable(${target_name} ${NSSH_ROOT}/native/fuzz/${target_name}.cc)
      target_compile_options(${target_name} PRIVATE ${NSSH_FUZZ_FLAGS} -fsanitize=fuzzer)
      target_link_options(${target_name} PRIVATE -fsanitize=fuzzer,address,undefined)
      target_link_libraries(${target_name} PRIVATE nssh_proxy_fuzz)
    endforeach()
  else()
    message(WARNING "NSSH_FUZZ needs clang (libFuzzer); fuzz targets skipped. "
                    "Configure with -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++.")
  endif()
endif()
