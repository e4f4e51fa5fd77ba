# fuzz_session: libFuzzer target that drives a whole libssh2 client session from fuzzed server
# bytes (native/fuzz/fuzz_session.cc, issue 13). Only with -DNSSH_FUZZ=ON and clang
# (scripts/fuzz.sh).
#
# Included by the top-level CMakeLists.txt after LIBSSH2_SOURCES, find_package(OpenSSL / ZLIB) and
# cmake/fuzz.cmake (NSSH_FUZZ). libssh2 is compiled again here, as an object library, with
# the fuzzer's coverage instrumentation and ASan + UBSan, so that libFuzzer sees and checks
# libssh2's own code, and with -DNDEBUG: an assert reachable from the network is to be removed by
# a patch, a crash must be a memory error.
#
#   NSSH_FUZZ_PLAINTEXT (ON)  also compiles in libssh2's "none" cipher and MAC (they need
#                             LIBSSH2DEBUG, whose tracing stays off), so that an input can offer
#                             them and drive the session past NEWKEYS in the clear: login,
#                             channels, exec. OFF builds libssh2 with the release definitions
#                             only, to check that a finding is not in debug-only code.

option(NSSH_FUZZ_PLAINTEXT "fuzz_session: compile libssh2's none cipher / MAC in (debug build)" ON)

if(NSSH_FUZZ AND CMAKE_C_COMPILER_ID MATCHES "Clang" AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  set(NSSH_LIBSSH2_FUZZ_SOURCES ${LIBSSH2_SOURCES})
  if(NSSH_FUZZ_PLAINTEXT)
    # libssh2 1.11.1's "none" cipher (debug-only code) predates the auth_len and get_len members
    # of LIBSSH2_CRYPT_METHOD: its positional initializer puts crypt_none_crypt in `init` and
    # leaves `crypt` NULL. The fuzz build compiles a copy of crypt.c with the initializer
    # realigned; deps/libssh2 itself is untouched (and a release build has no "none" cipher).
    set(crypt_source "${LIBSSH2_DIR}/src/crypt.c")
    set(crypt_copy "${CMAKE_CURRENT_BINARY_DIR}/libssh2-fuzz/crypt.c")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${crypt_source}")
    file(READ "${crypt_source}" crypt_text)
    set(none_old [[
    0,                /* flags */
    NULL,
    crypt_none_crypt,
    NULL
};]])
    set(none_new [[
    0,                /* auth_len */
    0,                /* flags */
    NULL,             /* init */
    NULL,             /* get_len */
    crypt_none_crypt,
    NULL              /* dtor */
};]])
    string(FIND "${crypt_text}" "${none_old}" none_at)
    if(none_at EQUAL -1)
      message(FATAL_ERROR "fuzz_session: libssh2's none cipher initializer changed; "
                          "update cmake/session-fuzz.cmake or use -DNSSH_FUZZ_PLAINTEXT=OFF")
    endif()
    string(REPLACE "${none_old}" "${none_new}" crypt_text "${crypt_text}")
    set(crypt_old_copy "")
    if(EXISTS "${crypt_copy}")
      file(READ "${crypt_copy}" crypt_old_copy)
    endif()
    if(NOT crypt_old_copy STREQUAL crypt_text)
      file(WRITE "${crypt_copy}" "${crypt_text}")
    endif()
    list(REMOVE_ITEM NSSH_LIBSSH2_FUZZ_SOURCES "${crypt_source}")
    list(APPEND NSSH_LIBSSH2_FUZZ_SOURCES "${crypt_copy}")
  endif()
  add_library(nssh_libssh2_fuzz OBJECT ${NSSH_LIBSSH2_FUZZ_SOURCES})
  target_compile_definitions(nssh_libssh2_fuzz PRIVATE HAVE_CONFIG_H LIBSSH2_OPENSSL
                                                       LIBSSH2_HAVE_ZLIB NDEBUG
                                               PUBLIC LIBSSH2_API=)
  if(NSSH_FUZZ_PLAINTEXT)
    target_compile_definitions(nssh_libssh2_fuzz PRIVATE LIBSSH2DEBUG LIBSSH2_CRYPT_NONE_INSECURE
                                                         LIBSSH2_MAC_NONE_INSECURE)
  endif()
  target_include_directories(nssh_libssh2_fuzz PRIVATE "${NSSH_ROOT}/deps/libssh2-config"
                                                       "${LIBSSH2_DIR}/src"
                                               PUBLIC "${LIBSSH2_DIR}/include")
  target_compile_options(nssh_libssh2_fuzz PRIVATE ${NSSH_FUZZ_FLAGS}
                                                   -fsanitize=fuzzer-no-link)
  target_link_libraries(nssh_libssh2_fuzz PUBLIC OpenSSL::Crypto ZLIB::ZLIB)

  # The engine's BlockPool is one of the two allocators an input can give libssh2.
  nssh_core_sources(fuzz_session_core util/block_pool.cc util/wipe.cc)
  add_executable(fuzz_session ${NSSH_ROOT}/native/fuzz/fuzz_session.cc ${fuzz_session_core})
  target_include_directories(fuzz_session PRIVATE ${NSSH_ROOT}/native)
  target_compile_options(fuzz_session PRIVATE ${NSSH_FUZZ_FLAGS} -fsanitize=fuzzer)
  target_link_options(fuzz_session PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_session PRIVATE nssh_libssh2_fuzz)
elseif(NSSH_FUZZ)
  message(WARNING "NSSH_FUZZ needs clang (libFuzzer); fuzz_session skipped.")
endif()
