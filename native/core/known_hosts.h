// OpenSSH known_hosts files: parsing and host-key matching as pure code (no sockets, no libssh2).
//
// The format is the one of sshd(8), section SSH_KNOWN_HOSTS FILE FORMAT: per line an optional
// marker, a comma-separated host pattern list (or one hashed name, see ssh-keygen(1) -H), the key
// type, the base64 key and an optional comment. What this implementation decides where the format
// leaves room (see KnownHosts::Check for the verdicts):
//   - Host names are compared case-insensitively: the name given by the user is lower-cased first,
//     as ssh(1) does, so hashed entries written by ssh match. Port 22 is looked up as "host", any
//     other port as "[host]:port" (so "[host]:22" in a file never matches, as in OpenSSH).
//   - "@revoked" lines revoke their key for the hosts their patterns name ("@revoked * ..." for
//     every host); "@cert-authority" lines are skipped (host certificates are not supported).
//   - A line whose key type differs from the type inside its base64 key, whose base64 is not
//     canonical, or which lacks fields is skipped with a note; the rest of the file still counts.
//
// Threads: one at a time (the engine thread parses and checks it; the unit tests and fuzzer too).

#ifndef NATIVE_SSH_CORE_KNOWN_HOSTS_H_
#define NATIVE_SSH_CORE_KNOWN_HOSTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/base64.h"

namespace native_ssh::core {

// A server's public host key as SSH sends it.
struct HostKey {
  std::string type;  // e.g. "ssh-ed25519"; only used when `blob` does not name its own type
  std::string blob;  // the raw public key (RFC 4253 §6.6): uint32 length + type name + key data
};

enum class HostKeyMatch { kMatch, kMismatch, kUnknown };

struct KnownHostsResult {
  HostKeyMatch match = HostKeyMatch::kUnknown;
  // Lines of the file that were skipped, with the reason ("line 7: @cert-authority entries are not
  // supported (skipped)"), then what Check noticed, e.g. keys of other types for this host.
  std::vector<std::string> notes;
  // Line (1-based) of the entry that decided: the matching one, the revoking one or the first with
  // another key of the same type. 0 for kUnknown.
  int matched_line = 0;
  // kMismatch because a "@revoked" line names this very key for this host.
  bool revoked = false;
};

// The parsed entries of one known_hosts file. Owns copies of what it needs from the text.
// Engine thread only (Check is const and touches no shared state, but nothing here needs more).
class KnownHosts {
 public:
  // Parses the whole file text, replacing what an earlier call parsed. Never throws, never crashes
  // on any input: malformed lines are skipped with a note (at most 32 notes, then a count).
  void Parse(std::string_view text);

  // Checks `key` for `host` (the name or IP literal the user gave, without brackets) at `port`:
  //   kMismatch, revoked = true   a "@revoked" line naming this host has exactly this key. A
  //                               revoked key is never accepted, whatever other lines say;
  //   kMatch      a line naming this host has exactly this key;
  //   kMismatch   lines naming this host have keys of the same type, none of them this key (a
  //               changed host key);
  //   kUnknown    otherwise. Keys of other types known for this host do not make a mismatch: like
  //               OpenSSH, a key of a new type is unknown (a note names the types that are known;
  //               see KnownTypes to prefer those types in the key exchange).
  // The type compared is the one inside key.blob (so "rsa-sha2-256" and "ssh-rsa" are both the
  // key type "ssh-rsa"); key.type counts only when the blob is malformed.
  KnownHostsResult Check(std::string_view host, uint16_t port, const HostKey& key) const;

  // The key types of the (non-revoked) entries naming this host, in file order, without repeats.
  // The engine can offer these host key algorithms first, as ssh(1) does, so that a server with
  // several keys presents one that is known.
  std::vector<std::string> KnownTypes(std::string_view host, uint16_t port) const;

  // The line to append for accept-new, without a line end: "<host> <type> <base64>" where <host>
  // is the lower-cased host for port 22 and "[host]:port" otherwise, or with `hash` the hashed form
  // "|1|<base64 salt>|<base64 HMAC-SHA1(salt, host)>" (random 20-byte salt). The type written is
  // the one inside key.blob. Returns "" when the line cannot be written safely: a host that is
  // empty or holds whitespace, control or non-ASCII bytes or one of , * ? ! [ ] | @ #, a malformed
  // blob, or no random bytes for the salt.
  static std::string FormatLine(std::string_view host, uint16_t port, const HostKey& key,
                                bool hash);

 private:
  struct Pattern {
    std::string text;  // lower-cased, may hold * and ?
    bool negated = false;
  };
  struct Entry {
    int line = 0;
    bool revoked = false;
    bool hashed = false;
    std::string salt;               // hashed entries: HMAC key
    std::string hash;               // hashed entries: HMAC-SHA1(salt, name), 20 bytes
    std::vector<Pattern> patterns;  // plain entries
    std::string type;
    std::string blob;
  };

  void ParseLine(std::string_view line, int number);
  void Skip(int number, std::string_view reason);
  static bool Names(const Entry& entry, std::string_view name);

  std::vector<Entry> entries_;
  std::vector<std::string> notes_;
  int skipped_ = 0;
};

// Base64Encode and Base64Decode (canonical text only) come with this header: see core/base64.h.

// "SHA256:<base64 of SHA-256(blob), without padding>", as ssh-keygen -l -E sha256 prints it;
// "" if OpenSSL cannot compute the digest.
std::string Sha256Fingerprint(std::string_view blob);

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_KNOWN_HOSTS_H_
