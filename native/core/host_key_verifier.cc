#include "core/host_key_verifier.h"

#include "core/codes.h"
#include "core/ssh_error.h"

namespace native_ssh::core {

namespace {

std::string Endpoint(const std::string& host, uint16_t port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

// "SHA256:abc=" and "abc" name the same fingerprint.
std::string NormalizeFingerprint(std::string text) {
  if (text.rfind("SHA256:", 0) == 0) text.erase(0, 7);
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

}  // namespace

HostKeyVerifier::HostKeyVerifier(const HostKeyCheck* check, std::string host, uint16_t port)
    : check_(check), host_(std::move(host)), port_(port) {
  if (check_->policy != HostKeyPolicy::kOff) known_hosts_.Parse(check_->known_hosts_text);
}

std::vector<std::string> HostKeyVerifier::PreferredAlgorithms() const {
  std::vector<std::string> algorithms;
  if (check_->policy == HostKeyPolicy::kOff) return algorithms;
  for (const std::string& type : known_hosts_.KnownTypes(host_, port_)) {
    if (type == "ssh-rsa") {
      // The key type ssh-rsa is signed with one of three algorithms (RFC 8332).
      algorithms.push_back("rsa-sha2-512");
      algorithms.push_back("rsa-sha2-256");
    }
    algorithms.push_back(type);
  }
  return algorithms;
}

bool HostKeyVerifier::Verify(const HostKey& key, const std::string& fingerprint, Error* error,
                             std::string* record_line, std::vector<std::string>* notes) const {
  if (check_->policy == HostKeyPolicy::kOff) return true;
  const std::string where = Endpoint(host_, port_);
  if (!check_->pinned_fingerprint.empty() &&
      NormalizeFingerprint(check_->pinned_fingerprint) != NormalizeFingerprint(fingerprint)) {
    *error = MakeError(codes::kHostKeyMismatch, codes::kLevelHostKey,
                       "Host key error: " + where + " presented " + key.type + " key " +
                           fingerprint + ", not the pinned " + check_->pinned_fingerprint);
    return false;
  }
  KnownHostsResult result = known_hosts_.Check(host_, port_, key);
  *notes = result.notes;
  const std::string file =
      check_->known_hosts_path.empty() ? "known_hosts" : check_->known_hosts_path;
  switch (result.match) {
    case HostKeyMatch::kMatch: return true;
    case HostKeyMatch::kMismatch:
      *error = MakeError(
          codes::kHostKeyMismatch, codes::kLevelHostKey,
          "Host key error: " + where + " presented " + key.type + " key " + fingerprint +
              (result.revoked ? ", which " + file + " marks as revoked (line " +
                                    std::to_string(result.matched_line) + ")"
                              : ", but " + file + " line " + std::to_string(result.matched_line) +
                                    " records another key for it (possible man-in-the-middle)"));
      return false;
    case HostKeyMatch::kUnknown: break;
  }
  // A pinned fingerprint that matched is as good as a known_hosts entry.
  if (!check_->pinned_fingerprint.empty()) return true;
  if (check_->policy == HostKeyPolicy::kStrict) {
    *error = MakeError(codes::kHostKeyUnknown, codes::kLevelHostKey,
                       "Host key error: " + where + " presented " + key.type + " key " +
                           fingerprint + ", which is not in " + file + " (policy strict)");
    return false;
  }
  if (check_->record_new)
    *record_line = KnownHosts::FormatLine(host_, port_, key, check_->hash_new);
  return true;
}

}  // namespace native_ssh::core
