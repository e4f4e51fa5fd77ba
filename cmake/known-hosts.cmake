# The known_hosts parser and matcher (native/core/known_hosts): library, unit tests, fuzz target.
#
# Included by the top-level CMakeLists.txt after find_package(OpenSSL), enable_testing() and
# cmake/core-tests.cmake (whose NSSH_FUZZ option and warning flags it reuses when present).
# NSSH_ROOT is the repository root (defaults to the including directory). Targets:
#   nssh_known_hosts    static library, C++17, position-independent; links OpenSSL::Crypto
#                       (HMAC-SHA1 of hashed names, SHA-256 fingerprints, salts)
#   known_hosts_test    unit tests, registered with ctest
#   fuzz_known_hosts    libFuzzer target, only with -DNSSH_FUZZ=ON and clang (scripts/fuzz.sh)
# and small engine pieces with their tests: kexinit_sniffer_test, byte_buffer_test,
# block_pool_test.

if(NOT DEFINED NSSH_ROOT)
  set(NSSH_ROOT "${CMAKE_CURRENT_SOURCE_DIR}")
endif()

option(NSSH_FUZZ "Build the libFuzzer targets (clang only)" OFF)

if(NOT DEFINED NSSH_CORE_WARNINGS)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    set(NSSH_CORE_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion)
  else()
    set(NSSH_CORE_WARNINGS)
  endif()
endif()

# base64.cc is shared with the proxy library (cmake/core-tests.cmake): keys, salts, fingerprints.
set(NSSH_KNOWN_HOSTS_SOURCES
  ${NSSH_ROOT}/native/core/base64.cc
  ${NSSH_ROOT}/native/core/known_hosts.cc
)

add_library(nssh_known_hosts STATIC ${NSSH_KNOWN_HOSTS_SOURCES})
# Sources include each other as "core/<file>.h".
target_include_directories(nssh_known_hosts PUBLIC ${NSSH_ROOT}/native)
target_compile_features(nssh_known_hosts PUBLIC cxx_std_17)
target_compile_options(nssh_known_hosts PRIVATE ${NSSH_CORE_WARNINGS})
target_link_libraries(nssh_known_hosts PUBLIC OpenSSL::Crypto)
set_target_properties(nssh_known_hosts PROPERTIES POSITION_INDEPENDENT_CODE ON CXX_EXTENSIONS OFF)

add_executable(known_hosts_test ${NSSH_ROOT}/native/test/core/known_hosts_test.cc)
target_include_directories(known_hosts_test PRIVATE ${NSSH_ROOT}/native/test/core)
target_compile_options(known_hosts_test PRIVATE ${NSSH_CORE_WARNINGS})
target_link_libraries(known_hosts_test PRIVATE nssh_known_hosts)
set_target_properties(known_hosts_test PROPERTIES CXX_EXTENSIONS OFF)
add_test(NAME known_hosts_test COMMAND known_hosts_test)

if(NSSH_FUZZ)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # Same flags as the proxy fuzzers (cmake/core-tests.cmake): the library is compiled again with
    # coverage instrumentation and the sanitizers, so that libFuzzer checks the parser itself.
    set(NSSH_KNOWN_HOSTS_FUZZ_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
                                    -fno-omit-frame-pointer -g -O1)
    add_library(nssh_known_hosts_fuzz OBJECT ${NSSH_KNOWN_HOSTS_SOURCES})
    target_include_directories(nssh_known_hosts_fuzz PUBLIC ${NSSH_ROOT}/native)
    target_compile_features(nssh_known_hosts_fuzz PUBLIC cxx_std_17)
    target_compile_options(nssh_known_hosts_fuzz PRIVATE ${NSSH_KNOWN_HOSTS_FUZZ_FLAGS}
                                                         -fsanitize=fuzzer-no-link)
    target_link_libraries(nssh_known_hosts_fuzz PUBLIC OpenSSL::Crypto)
    add_executable(fuzz_known_hosts ${NSSH_ROOT}/native/fuzz/fuzz_known_hosts.cc)
    target_compile_options(fuzz_known_hosts PRIVATE ${NSSH_KNOWN_HOSTS_FUZZ_FLAGS} -fsanitize=fuzzer)
    target_link_options(fuzz_known_hosts PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(fuzz_known_hosts PRIVATE nssh_known_hosts_fuzz)
  else()
    message(WARNING "NSSH_FUZZ needs clang (libFuzzer); fuzz_known_hosts skipped.")
  endif()
endif()

# The KEXINIT sniffer (native/core/kexinit_sniffer): explains failed algorithm negotiations.
add_library(nssh_kexinit STATIC ${NSSH_ROOT}/native/core/kexinit_sniffer.cc)
target_include_directories(nssh_kexinit PUBLIC ${NSSH_ROOT}/native)
target_compile_features(nssh_kexinit PUBLIC cxx_std_17)
add_executable(kexinit_sniffer_test ${NSSH_ROOT}/native/test/core/kexinit_sniffer_test.cc)
target_include_directories(kexinit_sniffer_test PRIVATE ${NSSH_ROOT}/native/test/core)
target_link_libraries(kexinit_sniffer_test PRIVATE nssh_kexinit)
add_test(NAME kexinit_sniffer_test COMMAND kexinit_sniffer_test)

# ByteBuffer (native/core/byte_buffer): command output handed to JavaScript without a copy;
# BlockPool (native/core/block_pool): libssh2's per-session memory.
add_library(nssh_buffers STATIC ${NSSH_ROOT}/native/core/byte_buffer.cc
                                    ${NSSH_ROOT}/native/core/block_pool.cc
                                    ${NSSH_ROOT}/native/core/wipe.cc)
target_include_directories(nssh_buffers PUBLIC ${NSSH_ROOT}/native)
target_compile_features(nssh_buffers PUBLIC cxx_std_17)
target_compile_options(nssh_buffers PRIVATE ${NSSH_CORE_WARNINGS})
add_executable(byte_buffer_test ${NSSH_ROOT}/native/test/core/byte_buffer_test.cc)
target_include_directories(byte_buffer_test PRIVATE ${NSSH_ROOT}/native/test/core)
target_link_libraries(byte_buffer_test PRIVATE nssh_buffers)
add_test(NAME byte_buffer_test COMMAND byte_buffer_test)
add_executable(block_pool_test ${NSSH_ROOT}/native/test/core/block_pool_test.cc)
target_include_directories(block_pool_test PRIVATE ${NSSH_ROOT}/native/test/core)
target_link_libraries(block_pool_test PRIVATE nssh_buffers)
add_test(NAME block_pool_test COMMAND block_pool_test)
