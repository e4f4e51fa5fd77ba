// The host key step of one connection: the server's key, described for JavaScript (type, blob,
// SHA256 fingerprint), checked against the policy, known_hosts and a pin (HostKeyVerifier); and,
// when accept-new meets a new host, checked again against known_hosts as re-read under its lock,
// which yields the line to record (or a refusal, when another key was recorded meanwhile).
//
// Owned by one Session; engine thread only (it hashes, and reads the key from libssh2).
#ifndef NATIVE_SSH_CORE_HOST_KEY_STAGE_H_
#define NATIVE_SSH_CORE_HOST_KEY_STAGE_H_

#include <libssh2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/host_key_verifier.h"
#include "core/known_hosts.h"
#include "core/messages.h"

namespace native_ssh::core {

class HostKeyStage {
 public:
  enum class Outcome {
    kAccepted,  // go on with the login
    kRefused,   // with `refusal`
    kRecord,    // accept-new met a new host: `event` asks JavaScript to lock known_hosts and
                // re-read it for Recheck (phase "record")
    kVerify,    // accepted, and JavaScript asked to be asked: `event` (phase "verify")
  };

  // Parses known_hosts (`check` must outlive the stage, until Check).
  void Begin(const HostKeyCheck* check, std::string host, uint16_t port);
  // What known_hosts records for the host: the host key algorithms to prefer.
  std::vector<std::string> PreferredAlgorithms() const;
  // After the key exchange: describes the key into `event` and checks it (`ask`: JavaScript wants
  // a say once the policy accepted). Frees the parsed file.
  Outcome Check(LIBSSH2_SESSION* ssh, bool ask, Event* event, Error* refusal);
  // accept-new: `known_hosts_text` as read again under the file's lock. False with `refusal`;
  // otherwise `event` gets the key, phase "recorded" and known_hosts_line, the line to append
  // ("" when the file now records the key).
  bool Recheck(std::string known_hosts_text, Error* refusal, Event* event) const;
  // The server's key as JavaScript sees it (after Check): host_key_type, host_key (base64),
  // host_key_fingerprint ("SHA256:..." without padding).
  void Describe(Event* event) const;
  // known_hosts lines that were skipped, with reasons, one per line.
  const std::string& notes() const { return notes_; }
  const std::string& description() const { return description_; }

 private:
  const HostKeyCheck* check_ = nullptr;
  std::string host_;
  uint16_t port_ = 0;
  std::unique_ptr<HostKeyVerifier> verifier_;
  HostKey key_;              // the server's key, kept for Recheck
  std::string key_base64_;   // "" when libssh2 had no key
  std::string fingerprint_;  // "" when libssh2 had no hash
  std::string notes_;
  std::string description_;  // "ssh-ed25519 SHA256:...", for debug lines
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_HOST_KEY_STAGE_H_
