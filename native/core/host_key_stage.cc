#include "core/host_key_stage.h"

#include <utility>

#include "core/util/base64.h"

namespace native_ssh::core {

namespace {

// Base64 as OpenSSH prints fingerprints: without padding.
std::string Base64NoPad(std::string_view bytes) {
  std::string out = Base64Encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

const char* HostKeyTypeName(int type) {
  switch (type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA: return "ssh-rsa";
    case LIBSSH2_HOSTKEY_TYPE_DSS: return "ssh-dss";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return "ecdsa-sha2-nistp256";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return "ecdsa-sha2-nistp384";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return "ecdsa-sha2-nistp521";
    case LIBSSH2_HOSTKEY_TYPE_ED25519: return "ssh-ed25519";
    default: return "unknown";
  }
}

}  // namespace

void HostKeyStage::Describe(Event* event) const {
  event->info["host_key_type"] = key_.type;
  if (!key_base64_.empty()) event->info["host_key"] = key_base64_;
  if (!fingerprint_.empty()) event->info["host_key_fingerprint"] = fingerprint_;
}

void HostKeyStage::Begin(const HostKeyCheck* check, std::string host, uint16_t port) {
  check_ = check;
  host_ = std::move(host);
  port_ = port;
  verifier_ = std::make_unique<HostKeyVerifier>(check_, host_, port_);
}

std::vector<std::string> HostKeyStage::PreferredAlgorithms() const {
  return verifier_ ? verifier_->PreferredAlgorithms() : std::vector<std::string>();
}

HostKeyStage::Outcome HostKeyStage::Check(LIBSSH2_SESSION* ssh, bool ask, Event* event,
                                          Error* refusal) {
  size_t length = 0;
  int type = 0;
  const char* raw = libssh2_session_hostkey(ssh, &length, &type);
  key_ = HostKey{HostKeyTypeName(type), raw != nullptr ? std::string(raw, length) : std::string()};
  key_base64_ = raw != nullptr ? Base64Encode(key_.blob) : std::string();
  const char* hash = libssh2_hostkey_hash(ssh, LIBSSH2_HOSTKEY_HASH_SHA256);
  fingerprint_ =
      hash != nullptr ? "SHA256:" + Base64NoPad(std::string_view(hash, 32)) : std::string();
  Describe(event);
  description_ = key_.type + " " + fingerprint_;
  std::string record_line;
  std::vector<std::string> notes;
  const bool accepted = verifier_->Verify(key_, fingerprint_, refusal, &record_line, &notes);
  for (const std::string& note : notes) notes_ += (notes_.empty() ? "" : "\n") + note;
  // The parsed file is not needed any more: an idle connection should not carry it.
  verifier_.reset();
  if (!accepted) return Outcome::kRefused;
  if (!record_line.empty()) {
    event->info["phase"] = "record";
    return Outcome::kRecord;
  }
  if (!ask) return Outcome::kAccepted;
  event->info["phase"] = "verify";
  return Outcome::kVerify;
}

bool HostKeyStage::Recheck(std::string known_hosts_text, Error* refusal, Event* event) const {
  HostKeyCheck fresh = *check_;
  fresh.known_hosts_text = std::move(known_hosts_text);
  HostKeyVerifier verifier(&fresh, host_, port_);
  std::vector<std::string> notes;
  std::string line;
  if (!verifier.Verify(key_, fingerprint_, refusal, &line, &notes)) return false;
  Describe(event);
  event->info["phase"] = "recorded";
  event->info["known_hosts_line"] = std::move(line);
  return true;
}

}  // namespace native_ssh::core
