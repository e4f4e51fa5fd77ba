# libFuzzer targets for the pure parsers, only with -DNSSH_FUZZ=ON and clang (scripts/fuzz.sh):
#   fuzz_socks4, fuzz_socks5, fuzz_http_connect   the proxy handshakes (native/core/proxy)
#   fuzz_known_hosts                               the known_hosts parser and matcher
# (fuzz_session, a whole libssh2 session, is cmake/session-fuzz.cmake.)
#
# Included by the top-level CMakeLists.txt after cmake/sources.cmake and find_package(OpenSSL).
# The code under test is compiled again with coverage instrumentation (fuzzer-no-link) and the
# same sanitizers, so that libFuzzer sees and checks it, not only the driver.

option(NSSH_FUZZ "Build the libFuzzer targets (clang only)" OFF)
set(NSSH_FUZZ_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer -g -O1)

if(NSSH_FUZZ AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  # nssh_fuzz_code(<name> <file>...): the named native/core files, instrumented, as an object library.
  function(nssh_fuzz_code name)
    nssh_core_sources(sources ${ARGN})
    add_library(${name} OBJECT ${sources})
    target_include_directories(${name} PUBLIC "${NSSH_ROOT}/native")
    target_compile_features(${name} PUBLIC cxx_std_17)
    target_compile_options(${name} PRIVATE ${NSSH_FUZZ_FLAGS} -fsanitize=fuzzer-no-link)
  endfunction()
  function(nssh_fuzz_target name)
    add_executable(${name} "${NSSH_ROOT}/native/fuzz/${name}.cc")
    target_compile_options(${name} PRIVATE ${NSSH_FUZZ_FLAGS} -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${name} PRIVATE ${ARGN})
  endfunction()
  nssh_fuzz_code(nssh_proxy_fuzz proxy/ util/)
  foreach(name fuzz_socks4 fuzz_socks5 fuzz_http_connect)
    nssh_fuzz_target(${name} nssh_proxy_fuzz)
  endforeach()
  nssh_fuzz_code(nssh_known_hosts_fuzz known_hosts.cc util/)
  target_link_libraries(nssh_known_hosts_fuzz PUBLIC OpenSSL::Crypto)
  nssh_fuzz_target(fuzz_known_hosts nssh_known_hosts_fuzz)
elseif(NSSH_FUZZ)
  message(WARNING "NSSH_FUZZ needs clang (libFuzzer); fuzz targets skipped. "
                  "Configure with -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++.")
endif()
