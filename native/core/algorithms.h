// The algorithm lists native-ssh offers when the caller names none: OpenSSH 9.x client's defaults,
// as far as libssh2 implements them (no legacy SHA-1 key exchange, CBC, MD5 or ssh-rsa
// signatures; those stay available when named in the settings), and the host key order that
// puts the key types known_hosts records for the host first, in OpenSSH's order.
//
// Pure functions over strings; Session calls them on the engine thread before the handshake.
#ifndef NATIVE_SSH_CORE_ALGORITHMS_H_
#define NATIVE_SSH_CORE_ALGORITHMS_H_

#include <string>
#include <vector>

namespace native_ssh::core {

enum class AlgorithmKind { kKex, kHostKey, kCipher, kMac };

// OpenSSH 9.x client's default list for `kind`, in its order, keeping the names in `supported`.
std::string DefaultAlgorithms(AlgorithmKind kind, const std::vector<std::string>& supported);

// The host key algorithms to offer: OpenSSH's default order (Ed25519, ECDSA, RSA-SHA2), with the
// algorithms of the key types in `known_types` (as known_hosts names them: ssh-ed25519,
// ecdsa-sha2-nistp256, ssh-rsa, ...) moved to the front in that same order, so a host known by
// its Ed25519 key is asked for that key even when another recorded type would also do.
std::string HostKeyOffer(const std::vector<std::string>& known_types,
                         const std::vector<std::string>& supported);

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_ALGORITHMS_H_
