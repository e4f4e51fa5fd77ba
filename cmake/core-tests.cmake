# The core's unit tests, without Node: the parts of native/core that need neither libuv nor
# libssh2, built as small libraries from binding.gyp's source list (cmake/sources.cmake), each
# with its test executable registered with ctest (scripts/run-tests.mjs runs them).
#
# Included by the top-level CMakeLists.txt after cmake/sources.cmake, find_package(OpenSSL) and
# enable_testing(). Libraries (static, C++17, position-independent, our warning set):
#   nssh_util         native/core/util: base64, byte buffers, the block pool, secrets, wiping
#   nssh_proxy        native/core/proxy: the SOCKS4/4a, SOCKS5 and HTTP CONNECT handshakes
#   nssh_known_hosts  the known_hosts parser and matcher (OpenSSL::Crypto: HMAC-SHA1, SHA-256)
#   nssh_kexinit      the KEXINIT sniffer (explains failed algorithm negotiations)
# Tests (native/test/core/<name>.cc, harness test_main.h): proxy_test, known_hosts_test,
# kexinit_sniffer_test, byte_buffer_test, block_pool_test.

function(nssh_core_library name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES;LIBS")
  nssh_core_sources(sources ${arg_SOURCES})
  add_library(${name} STATIC ${sources})
  # Sources include each other as "core/<path>.h".
  target_include_directories(${name} PUBLIC "${NSSH_ROOT}/native")
  target_compile_features(${name} PUBLIC cxx_std_17)
  target_compile_options(${name} PRIVATE ${NSSH_WARNINGS})
  target_link_libraries(${name} PUBLIC ${arg_LIBS})
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON CXX_EXTENSIONS OFF)
endfunction()

function(nssh_core_test name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "LIBS")
  add_executable(${name} "${NSSH_ROOT}/native/test/core/${name}.cc")
  target_include_directories(${name} PRIVATE "${NSSH_ROOT}/native/test/core")
  target_compile_options(${name} PRIVATE ${NSSH_WARNINGS})
  target_link_libraries(${name} PRIVATE ${arg_LIBS})
  set_target_properties(${name} PROPERTIES CXX_EXTENSIONS OFF)
  add_test(NAME ${name} COMMAND ${name})
endfunction()

nssh_core_library(nssh_util SOURCES util/)
nssh_core_library(nssh_proxy SOURCES proxy/ LIBS nssh_util)
nssh_core_library(nssh_known_hosts SOURCES known_hosts.cc LIBS nssh_util OpenSSL::Crypto)
nssh_core_library(nssh_kexinit SOURCES kexinit_sniffer.cc)

nssh_core_test(proxy_test LIBS nssh_proxy)
nssh_core_test(known_hosts_test LIBS nssh_known_hosts)
nssh_core_test(kexinit_sniffer_test LIBS nssh_kexinit)
nssh_core_test(byte_buffer_test LIBS nssh_util)
nssh_core_test(block_pool_test LIBS nssh_util)
