// Process-wide libssh2 state: libssh2_init() exactly once (it is not thread-safe), and the
// versions of the libraries that actually serve the calls at run time.
#ifndef NATIVE_SSH_CORE_SSH_LIBRARY_H_
#define NATIVE_SSH_CORE_SSH_LIBRARY_H_

#include <string>

namespace native_ssh::core {

class SshLibrary {
 public:
  // Any thread; idempotent.
  static void Init();
  static std::string Libssh2Version();  // as reported by the linked libssh2 at run time
  static std::string
  OpenSslVersion();  // OpenSSL_version(OPENSSL_VERSION) as seen from libssh2's side
  static std::string OpenSslDirectory();
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_SSH_LIBRARY_H_
