#include "core/ssh_library.h"

#include <libssh2.h>
#include <openssl/crypto.h>

#include <mutex>

namespace native_ssh::core {

void SshLibrary::Init() {
  static std::once_flag once;
  std::call_once(once, [] {
    // No atexit cleanup of OpenSSL: the engine thread may still be using it while the process
    // exits (the process releases everything anyway).
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
    libssh2_init(0);
  });
}

std::string SshLibrary::Libssh2Version() {
  const char* version = libssh2_version(0);
  return version ? version : "";
}

std::string SshLibrary::OpenSslVersion() { return OpenSSL_version(OPENSSL_VERSION); }

std::string SshLibrary::OpenSslDirectory() { return OpenSSL_version(OPENSSL_DIR); }

}  // namespace native_ssh::core
