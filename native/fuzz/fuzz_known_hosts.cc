// libFuzzer target: the known_hosts parser and matcher (native/core/known_hosts) on arbitrary text.
//
// The input is the file. It is parsed, then checked for two fixed hosts and keys, and for one
// host, port and key taken from the input itself (the first entry-like line), so that matches,
// mismatches and revocations are reached, not only "unknown". Invariants: the verdict and the line
// agree (a line number exactly when known, within the file; revoked only as a mismatch), Check is
// repeatable, the notes stay bounded, and a line written by FormatLine for the derived host, once
// appended to the file, makes the key match unless the file revokes it. Base64 round-trips.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/known_hosts.h"

namespace {

using native_ssh::core::Base64Decode;
using native_ssh::core::Base64Encode;
using native_ssh::core::HostKey;
using native_ssh::core::HostKeyMatch;
using native_ssh::core::KnownHosts;
using native_ssh::core::KnownHostsResult;
using native_ssh::core::Sha256Fingerprint;

// A broken invariant is a crash: libFuzzer saves the input that caused it.
void Expect(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

HostKey FixedKey(std::string_view base64) {
  HostKey key;
  key.blob = Base64Decode(base64).value_or("");
  return key;
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t at = 0;
  while (at < line.size() && fields.size() < 5) {
    while (at < line.size() && IsBlank(line[at])) ++at;
    const size_t begin = at;
    while (at < line.size() && !IsBlank(line[at])) ++at;
    if (at > begin) fields.push_back(line.substr(begin, at - begin));
  }
  return fields;
}

struct Probe {
  std::string host;
  uint16_t port = 22;
  HostKey key;
};

// The first pattern of the first line with at least three fields: "name" or "[name]:port", the
// key from the field after the type. Falls back to parts of the input when there is none.
Probe Derive(std::string_view text) {
  Probe probe;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::vector<std::string_view> fields = Fields(text.substr(start, end - start));
    start = end + 1;
    size_t next = !fields.empty() && fields[0][0] == '@' ? 1 : 0;
    if (fields.size() < next + 3) continue;
    std::string_view host = fields[next];
    host = host.substr(0, host.find(','));
    if (!host.empty() && host[0] == '!') host.remove_prefix(1);
    const size_t close = host.find("]:");
    if (!host.empty() && host[0] == '[' && close != std::string_view::npos) {
      unsigned long port = std::strtoul(std::string(host.substr(close + 2)).c_str(), nullptr, 10);
      probe.port = static_cast<uint16_t>(port);
      host = host.substr(1, close - 1);
    }
    probe.host = std::string(host.substr(0, 256));
    probe.key.type = std::string(fields[next + 1].substr(0, 64));
    probe.key.blob = Base64Decode(fields[next + 2]).value_or(std::string(fields[next + 2]));
    return probe;
  }
  probe.host = std::string(text.substr(0, 32));
  probe.port = static_cast<uint16_t>(text.size());
  probe.key.blob = std::string(text.substr(text.size() / 2, 64));
  return probe;
}

int CountLines(std::string_view text) {
  int lines = 0;
  for (size_t start = 0; start < text.size(); ++lines) {
    const size_t end = text.find('\n', start);
    start = end == std::string_view::npos ? text.size() : end + 1;
  }
  return lines;
}

KnownHostsResult CheckOnce(const KnownHosts& known_hosts, std::string_view text,
                           const Probe& probe) {
  const KnownHostsResult result = known_hosts.Check(probe.host, probe.port, probe.key);
  Expect(result.match == HostKeyMatch::kMatch || result.match == HostKeyMatch::kMismatch ||
             result.match == HostKeyMatch::kUnknown,
         "verdict out of range");
  Expect((result.match == HostKeyMatch::kUnknown) == (result.matched_line == 0),
         "a line number exactly when the host is known");
  Expect(result.matched_line >= 0 && result.matched_line <= CountLines(text),
         "line number outside the file");
  Expect(!result.revoked || result.match == HostKeyMatch::kMismatch, "revoked but not refused");
  Expect(result.notes.size() <= 35, "notes unbounded");
  const KnownHostsResult again = known_hosts.Check(probe.host, probe.port, probe.key);
  Expect(again.match == result.match && again.matched_line == result.matched_line &&
             again.revoked == result.revoked && again.notes == result.notes,
         "Check is not repeatable");
  const std::vector<std::string> types = known_hosts.KnownTypes(probe.host, probe.port);
  for (size_t i = 0; i < types.size(); ++i) {
    for (size_t j = i + 1; j < types.size(); ++j) Expect(types[i] != types[j], "repeated type");
  }
  return result;
}

void CheckBase64(std::string_view text) {
  const std::string encoded = Base64Encode(text.substr(0, 300));
  Expect(Base64Decode(encoded) == std::string(text.substr(0, 300)), "base64 round trip");
  for (const std::string_view field : Fields(text.substr(0, text.find('\n')))) {
    const std::optional<std::string> decoded = Base64Decode(field);
    if (decoded) Expect(Base64Encode(*decoded) == field, "base64 decoding is not canonical");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  KnownHosts known_hosts;
  known_hosts.Parse(text);

  Probe fixed;
  fixed.host = "server.example.com";
  fixed.key = FixedKey("AAAAC3NzaC1lZDI1NTE5AAAAIMoJ299H5HWUCuRsNkv3cCxEkjFmBHVHYb4GAMYPQFwC");
  CheckOnce(known_hosts, text, fixed);
  fixed.host = "10.0.0.5";
  fixed.port = 2222;
  fixed.key = FixedKey(
      "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPOuyJkiSsFSakl5kGpujivpdLAImSc++uv/"
      "W6N2ob/TP4GccxniS/scrzjB5vGqyUmqDeM4B/IIiL2B1V50X4Q=");
  CheckOnce(known_hosts, text, fixed);

  const Probe probe = Derive(text);
  const KnownHostsResult before = CheckOnce(known_hosts, text, probe);
  Expect(Sha256Fingerprint(probe.key.blob).size() == 50, "fingerprint length");

  // What accept-new would append must be found again (unless a @revoked line forbids the key).
  for (const bool hash : {false, true}) {
    const std::string line = KnownHosts::FormatLine(probe.host, probe.port, probe.key, hash);
    if (line.empty()) continue;
    Expect(line.find('\n') == std::string::npos && line.find('\r') == std::string::npos,
           "line end inside the line");
    const std::string appended = std::string(text) + "\n" + line + "\n";
    KnownHosts after;
    after.Parse(appended);
    const KnownHostsResult result = CheckOnce(after, appended, probe);
    if (before.revoked) {
      Expect(result.revoked && result.match == HostKeyMatch::kMismatch, "revocation lost");
    } else {
      Expect(result.match == HostKeyMatch::kMatch, "appended line not found");
    }
  }
  CheckBase64(text);
  return 0;
}
