#include "core/known_hosts.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <climits>
#include <cstddef>
#include <utility>

namespace native_ssh::core {

namespace {

constexpr size_t kMaxNotes = 32;
constexpr size_t kSha1Size = 20;
// ssh-keygen writes 20-byte salts; anything far larger is not a known_hosts file.
constexpr size_t kMaxSaltSize = 1024;

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string LowerCopy(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = Lower(c);
  return out;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Text from the file or the caller as it may appear in a note: printable ASCII, at most 64 bytes.
std::string Printable(std::string_view text) {
  constexpr size_t kMax = 64;
  std::string out;
  for (size_t i = 0; i < text.size() && i < kMax; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    out += byte > 0x20 && byte < 0x7F ? text[i] : '?';
  }
  if (text.size() > kMax) out += "...";
  return out;
}

// The name entries are matched against: "host" for port 22, "[host]:port" otherwise (sshd(8)).
std::string LookupName(std::string_view host, uint16_t port) {
  std::string name = LowerCopy(host);
  if (port == 22) return name;
  return "[" + name + "]:" + std::to_string(port);
}

// The key type a public key blob names at its start (RFC 4253 §6.6: a uint32 length and the
// name), or std::nullopt when the blob names nothing or holds no key data after the name.
std::optional<std::string_view> BlobType(std::string_view blob) {
  if (blob.size() < 4) return std::nullopt;
  const uint32_t length = static_cast<uint32_t>(static_cast<uint8_t>(blob[0])) << 24 |
                          static_cast<uint32_t>(static_cast<uint8_t>(blob[1])) << 16 |
                          static_cast<uint32_t>(static_cast<uint8_t>(blob[2])) << 8 |
                          static_cast<uint32_t>(static_cast<uint8_t>(blob[3]));
  if (length == 0 || length >= blob.size() - 4) return std::nullopt;
  return blob.substr(4, length);
}

std::string KeyType(const HostKey& key) {
  const std::optional<std::string_view> type = BlobType(key.blob);
  return type ? std::string(*type) : key.type;
}

// '*' matches any run of bytes, '?' one byte; both sides are already lower-cased. The single
// backtracking point keeps this O(pattern * name) whatever the pattern (no exponential recursion
// on lines like "*a*a*a*a*b").
bool GlobMatch(std::string_view pattern, std::string_view name) {
  constexpr size_t kNone = std::string_view::npos;
  size_t p = 0, n = 0, star = kNone, star_n = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_n = n;
    } else if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p;
      ++n;
    } else if (star != kNone) {
      p = star + 1;
      n = ++star_n;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::optional<std::string> HmacSha1(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_size = 0;
  if (HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
           &out_size) == nullptr ||
      out_size != kSha1Size) {
    return std::nullopt;
  }
  return std::string(reinterpret_cast<const char*>(out), out_size);
}

// Host names that FormatLine writes: nothing that the format would read as a separator, a
// wildcard, a negation, brackets, a marker, a hash or a comment.
bool IsWritableHost(std::string_view host) {
  if (host.empty()) return false;
  for (char c : host) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7F) return false;
    if (std::string_view(",*?![]|@#").find(c) != std::string_view::npos) return false;
  }
  return true;
}

}  // namespace

std::string Sha256Fingerprint(std::string_view blob) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(blob.data(), blob.size(), digest, &size, EVP_sha256(), nullptr) != 1) return "";
  std::string encoded = Base64Encode(std::string_view(reinterpret_cast<char*>(digest), size));
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  return "SHA256:" + encoded;
}

void KnownHosts::Parse(std::string_view text) {
  entries_.clear();
  notes_.clear();
  skipped_ = 0;
  int number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (number < INT_MAX) ++number;
    ParseLine(text.substr(start, end - start), number);
    start = end + 1;
  }
  if (skipped_ > static_cast<int>(kMaxNotes)) {
    notes_.push_back(std::to_string(skipped_ - static_cast<int>(kMaxNotes)) +
                     " more lines skipped");
  }
}

void KnownHosts::Skip(int number, std::string_view reason) {
  if (skipped_ < INT_MAX) ++skipped_;
  if (notes_.size() < kMaxNotes) {
    notes_.push_back("line " + std::to_string(number) + ": " + std::string(reason) + " (skipped)");
  }
}

void KnownHosts::ParseLine(std::string_view line, int number) {
  // Fields are separated by runs of blanks; a CR before the LF and trailing blanks are ignored.
  std::vector<std::string_view> fields;
  size_t at = 0;
  while (at < line.size()) {
    while (at < line.size() && (IsBlank(line[at]) || line[at] == '\r')) ++at;
    if (at == line.size()) break;
    const size_t begin = at;
    while (at < line.size() && !IsBlank(line[at]) && line[at] != '\r') ++at;
    fields.push_back(line.substr(begin, at - begin));
    // Marker, hosts, type, key: the rest is the comment and need not be split.
    if (fields.size() == 4) break;
  }
  if (fields.empty() || fields[0][0] == '#') return;

  Entry entry;
  entry.line = number;
  size_t next = 0;
  if (fields[0][0] == '@') {
    if (fields[0] == "@cert-authority") {
      Skip(number, "@cert-authority entries are not supported");
      return;
    }
    if (fields[0] != "@revoked") {
      Skip(number, "unknown marker " + Printable(fields[0]));
      return;
    }
    entry.revoked = true;
    next = 1;
  }
  if (fields.size() < next + 3) {
    Skip(number, "expected host names, key type and key");
    return;
  }
  const std::string_view hosts = fields[next];
  const std::string_view type = fields[next + 1];
  const std::string_view key = fields[next + 2];

  std::optional<std::string> blob = Base64Decode(key);
  if (!blob) {
    Skip(number, "key is not valid base64");
    return;
  }
  const std::optional<std::string_view> blob_type = BlobType(*blob);
  if (!blob_type) {
    Skip(number, "key data is malformed");
    return;
  }
  if (*blob_type != type) {
    Skip(number, "key type " + Printable(type) + " does not match the type inside the key (" +
                     Printable(*blob_type) + ")");
    return;
  }

  if (hosts[0] == '|') {
    // "|1|<base64 salt>|<base64 hash>": one hashed name, no list, no wildcards (sshd(8)).
    if (hosts.substr(0, 3) != "|1|") {
      Skip(number, "unsupported hashed host name format");
      return;
    }
    const std::string_view rest = hosts.substr(3);
    const size_t bar = rest.find('|');
    if (bar == std::string_view::npos) {
      Skip(number, "malformed hashed host name");
      return;
    }
    std::optional<std::string> salt = Base64Decode(rest.substr(0, bar));
    std::optional<std::string> hash = Base64Decode(rest.substr(bar + 1));
    if (!salt || !hash || salt->empty() || salt->size() > kMaxSaltSize ||
        hash->size() != kSha1Size) {
      Skip(number, "malformed hashed host name");
      return;
    }
    entry.hashed = true;
    entry.salt = std::move(*salt);
    entry.hash = std::move(*hash);
  } else {
    size_t begin = 0;
    while (begin <= hosts.size()) {
      size_t comma = hosts.find(',', begin);
      if (comma == std::string_view::npos) comma = hosts.size();
      std::string_view piece = hosts.substr(begin, comma - begin);
      begin = comma + 1;
      if (piece.empty()) continue;
      Pattern pattern;
      if (piece[0] == '!') {
        pattern.negated = true;
        piece.remove_prefix(1);
      }
      pattern.text = LowerCopy(piece);
      entry.patterns.push_back(std::move(pattern));
    }
  }
  entry.type = std::string(type);
  entry.blob = std::move(*blob);
  entries_.push_back(std::move(entry));
}

bool KnownHosts::Names(const Entry& entry, std::string_view name) {
  if (entry.hashed) {
    const std::optional<std::string> hash = HmacSha1(entry.salt, name);
    return hash && *hash == entry.hash;
  }
  // A negated pattern that matches rules the line out, whatever else matches (ssh_config(5),
  // PATTERNS); otherwise one matching plain pattern is enough.
  bool named = false;
  for (const Pattern& pattern : entry.patterns) {
    if (!GlobMatch(pattern.text, name)) continue;
    if (pattern.negated) return false;
    named = true;
  }
  return named;
}

KnownHostsResult KnownHosts::Check(std::string_view host, uint16_t port, const HostKey& key) const {
  KnownHostsResult result;
  result.notes = notes_;
  const std::string name = LookupName(host, port);
  const std::string type = KeyType(key);
  int match_line = 0, mismatch_line = 0, revoked_line = 0;
  std::string other_types;
  for (const Entry& entry : entries_) {
    if (!Names(entry, name)) continue;
    if (entry.revoked) {
      if (revoked_line == 0 && entry.blob == key.blob) revoked_line = entry.line;
    } else if (entry.type == type) {
      if (entry.blob == key.blob) {
        if (match_line == 0) match_line = entry.line;
      } else if (mismatch_line == 0) {
        mismatch_line = entry.line;
      }
    } else {
      if (!other_types.empty()) other_types += ", ";
      other_types += Printable(entry.type) + " on line " + std::to_string(entry.line);
    }
  }
  if (revoked_line != 0) {
    result.match = HostKeyMatch::kMismatch;
    result.revoked = true;
    result.matched_line = revoked_line;
    result.notes.push_back("line " + std::to_string(revoked_line) + ": this " + Printable(type) +
                           " key is marked @revoked and is refused");
  } else if (match_line != 0) {
    result.match = HostKeyMatch::kMatch;
    result.matched_line = match_line;
  } else if (mismatch_line != 0) {
    result.match = HostKeyMatch::kMismatch;
    result.matched_line = mismatch_line;
  } else {
    result.match = HostKeyMatch::kUnknown;
    if (!other_types.empty()) {
      if (other_types.size() > 512) other_types = other_types.substr(0, 512) + "...";
      result.notes.push_back(
          "this " + Printable(type) +
          " key is unknown; the host is known with other key types: " + other_types);
    }
  }
  return result;
}

std::vector<std::string> KnownHosts::KnownTypes(std::string_view host, uint16_t port) const {
  const std::string name = LookupName(host, port);
  std::vector<std::string> types;
  for (const Entry& entry : entries_) {
    if (entry.revoked || !Names(entry, name)) continue;
    bool seen = false;
    for (const std::string& type : types) seen = seen || type == entry.type;
    if (!seen) types.push_back(entry.type);
  }
  return types;
}

std::string KnownHosts::FormatLine(std::string_view host, uint16_t port, const HostKey& key,
                                   bool hash) {
  const std::optional<std::string_view> type = BlobType(key.blob);
  if (!IsWritableHost(host) || !type) return "";
  for (char c : *type) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7F) return "";
  }
  std::string name = LookupName(host, port);
  if (hash) {
    unsigned char salt[kSha1Size];
    if (RAND_bytes(salt, static_cast<int>(sizeof salt)) != 1) return "";
    const std::string_view salt_bytes(reinterpret_cast<const char*>(salt), sizeof salt);
    const std::optional<std::string> digest = HmacSha1(salt_bytes, name);
    if (!digest) return "";
    name = "|1|" + Base64Encode(salt_bytes) + "|" + Base64Encode(*digest);
  }
  return name + " " + std::string(*type) + " " + Base64Encode(key.blob);
}

}  // namespace native_ssh::core
