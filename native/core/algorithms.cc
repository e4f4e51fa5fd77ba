#include "core/algorithms.h"

#include <algorithm>

namespace native_ssh::core {

namespace {

// OpenSSH 9.2 client defaults (ssh -Q ... / ssh_config(5)), less what libssh2 lacks
// (sntrup761x25519, umac, certificates, security keys).
const std::vector<std::string>& Defaults(AlgorithmKind kind) {
  static const std::vector<std::string> kKex = {"curve25519-sha256",
                                                "curve25519-sha256@libssh.org",
                                                "ecdh-sha2-nistp256",
                                                "ecdh-sha2-nistp384",
                                                "ecdh-sha2-nistp521",
                                                "diffie-hellman-group-exchange-sha256",
                                                "diffie-hellman-group16-sha512",
                                                "diffie-hellman-group18-sha512",
                                                "diffie-hellman-group14-sha256"};
  static const std::vector<std::string> kHostKey = {"ssh-ed25519",         "ecdsa-sha2-nistp256",
                                                    "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
                                                    "rsa-sha2-512",        "rsa-sha2-256"};
  static const std::vector<std::string> kCipher = {"chacha20-poly1305@openssh.com",
                                                   "aes128-ctr",
                                                   "aes192-ctr",
                                                   "aes256-ctr",
                                                   "aes128-gcm@openssh.com",
                                                   "aes256-gcm@openssh.com"};
  static const std::vector<std::string> kMac = {"hmac-sha2-256-etm@openssh.com",
                                                "hmac-sha2-512-etm@openssh.com",
                                                "hmac-sha1-etm@openssh.com",
                                                "hmac-sha2-256",
                                                "hmac-sha2-512",
                                                "hmac-sha1"};
  switch (kind) {
    case AlgorithmKind::kKex: return kKex;
    case AlgorithmKind::kHostKey: return kHostKey;
    case AlgorithmKind::kCipher: return kCipher;
    case AlgorithmKind::kMac: return kMac;
  }
  return kKex;
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

void Append(std::string* list, const std::string& name) {
  if (!list->empty()) *list += ',';
  *list += name;
}

// The key type a host key algorithm proves (RFC 8332: rsa-sha2-* sign with ssh-rsa keys).
std::string KeyTypeOf(const std::string& algorithm) {
  return algorithm.rfind("rsa-sha2-", 0) == 0 ? "ssh-rsa" : algorithm;
}

}  // namespace

std::string DefaultAlgorithms(AlgorithmKind kind, const std::vector<std::string>& supported) {
  std::string list;
  for (const std::string& name : Defaults(kind)) {
    if (Contains(supported, name)) Append(&list, name);
  }
  return list;
}

std::string HostKeyOffer(const std::vector<std::string>& known_types,
                         const std::vector<std::string>& supported) {
  std::string known;
  std::string others;
  for (const std::string& name : Defaults(AlgorithmKind::kHostKey)) {
    if (!Contains(supported, name)) continue;
    Append(Contains(known_types, KeyTypeOf(name)) ? &known : &others, name);
  }
  if (known.empty()) return others;
  return others.empty() ? known : known + "," + others;
}

}  // namespace native_ssh::core
