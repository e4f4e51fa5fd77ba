// The host-key decision, OpenSSH style: known_hosts lookup (strict / accept-new / off) and an
// optional SHA-256 fingerprint pin. Pure: the known_hosts text is read by TypeScript, and a line
// to record for accept-new is handed back for TypeScript to append. Engine thread only (it hashes).
#ifndef NATIVE_SSH_CORE_HOST_KEY_VERIFIER_H_
#define NATIVE_SSH_CORE_HOST_KEY_VERIFIER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/known_hosts.h"
#include "core/messages.h"

namespace native_ssh::core {

class HostKeyVerifier {
 public:
  HostKeyVerifier(const HostKeyCheck* check, std::string host, uint16_t port);

  // Host key algorithms to prefer in the key exchange: the types known_hosts has for this host,
  // so that a host recorded with one key type is not met with another (as ssh does).
  std::vector<std::string> PreferredAlgorithms() const;

  // True when `key` is acceptable; otherwise `error` says why (HOST_KEY_UNKNOWN/MISMATCH).
  // `record_line` gets the known_hosts line to append when a new host was accepted and should be
  // recorded; `notes` the lines known_hosts parsing skipped.
  bool Verify(const HostKey& key, const std::string& fingerprint, Error* error,
              std::string* record_line, std::vector<std::string>* notes) const;

 private:
  const HostKeyCheck* check_;
  std::string host_;
  uint16_t port_;
  KnownHosts known_hosts_;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_HOST_KEY_VERIFIER_H_
