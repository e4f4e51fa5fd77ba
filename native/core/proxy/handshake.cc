// MakeHandshake() and the address helpers shared by the proxy handshakes.

#include "core/proxy/handshake.h"

#include "core/proxy/http_connect.h"
#include "core/proxy/socks4.h"
#include "core/proxy/socks5.h"

namespace native_ssh::core::proxy {

namespace {

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// Parses the colon-separated groups on one side of "::" (or the whole address when there is no
// "::"). allow_ipv4_tail: the last piece may be a dotted quad, which stands for two groups.
bool ParseIpv6Groups(std::string_view text, bool allow_ipv4_tail, std::array<uint16_t, 8>* groups,
                     size_t* count) {
  *count = 0;
  if (text.empty()) return true;
  size_t start = 0;
  while (true) {
    const size_t colon = text.find(':', start);
    const std::string_view piece = text.substr(
        start, colon == std::string_view::npos ? std::string_view::npos : colon - start);
    const bool last = colon == std::string_view::npos;
    if (last && allow_ipv4_tail && piece.find('.') != std::string_view::npos) {
      std::array<uint8_t, 4> v4;
      if (!ParseIpv4Literal(piece, &v4) || *count + 2 > groups->size()) return false;
      (*groups)[(*count)++] = static_cast<uint16_t>(v4[0] << 8 | v4[1]);
      (*groups)[(*count)++] = static_cast<uint16_t>(v4[2] << 8 | v4[3]);
      return true;
    }
    if (piece.empty() || piece.size() > 4 || *count >= groups->size()) return false;
    uint16_t value = 0;
    for (char c : piece) {
      if (!IsHexDigit(c)) return false;
      value = static_cast<uint16_t>(value << 4 | HexValue(c));
    }
    (*groups)[(*count)++] = value;
    if (last) return true;
    start = colon + 1;
  }
}

}  // namespace

Handshake::~Handshake() { WipeString(&output_); }

Verdict Handshake::Feed(const uint8_t* data, size_t len) {
  if (verdict_ == Verdict::kFailed || len == 0) return verdict_;
  const char* bytes = reinterpret_cast<const char*>(data);
  const size_t used = verdict_ == Verdict::kContinue ? Consume(bytes, len) : 0;
  if (verdict_ == Verdict::kDone) leftover_.append(bytes + used, len - used);
  return verdict_;
}

Verdict Handshake::OnEof() {
  if (verdict_ == Verdict::kContinue) {
    Fail(kProtocolCode, "proxy closed the connection during the handshake");
  }
  return verdict_;
}

std::string Handshake::TakeLeftover() {
  if (verdict_ != Verdict::kDone) return std::string();
  return std::exchange(leftover_, std::string());
}

void Handshake::FailWith(const char* code, std::string message) {
  verdict_ = Verdict::kFailed;
  error_ = {code, std::move(message)};
  WipeString(&output_);
  leftover_.clear();
  OnFailed();
}

std::nullptr_t RejectRequest(ProxyError* error, const char* prefix, const char* message) {
  if (error != nullptr) *error = {kUnsupportedCode, std::string(prefix) + message};
  return nullptr;
}

std::unique_ptr<Handshake> MakeHandshake(const ProxyConfig& config, const Target& target,
                                         ProxyError* error) {
  switch (config.type) {
    case ProxyType::kSocks4: return Socks4Handshake::Create(config, target, error);
    case ProxyType::kSocks5: return Socks5Handshake::Create(config, target, error);
    case ProxyType::kHttp: return HttpConnectHandshake::Create(config, target, error);
  }
  if (error != nullptr) *error = {kUnsupportedCode, "Unsupported proxy type"};
  return nullptr;
}

bool ParseIpv4Literal(std::string_view text, std::array<uint8_t, 4>* out) {
  std::array<uint8_t, 4> bytes{};
  size_t part = 0;
  size_t i = 0;
  while (true) {
    // One decimal part: 1 to 3 digits, value <= 255, "0" but no other leading zero.
    size_t digits = 0;
    unsigned value = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 4) {
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0 || digits > 3 || value > 255) return false;
    if (digits > 1 && text[i - digits] == '0') return false;
    bytes[part++] = static_cast<uint8_t>(value);
    if (part == 4) break;
    if (i >= text.size() || text[i] != '.') return false;
    ++i;
  }
  if (i != text.size()) return false;
  if (out != nullptr) *out = bytes;
  return true;
}

bool ParseIpv6Literal(std::string_view text, std::array<uint8_t, 16>* out) {
  if (text.empty()) return false;
  const size_t gap = text.find("::");
  const bool has_gap = gap != std::string_view::npos;
  // "::" may appear only once (":::" is caught here too: the second search starts inside it).
  if (has_gap && text.find("::", gap + 1) != std::string_view::npos) return false;
  std::array<uint16_t, 8> head{}, tail{};
  size_t head_count = 0, tail_count = 0;
  const std::string_view head_text = has_gap ? text.substr(0, gap) : text;
  const std::string_view tail_text = has_gap ? text.substr(gap + 2) : std::string_view();
  if (!ParseIpv6Groups(head_text, !has_gap, &head, &head_count)) return false;
  if (!ParseIpv6Groups(tail_text, true, &tail, &tail_count)) return false;
  if (has_gap ? head_count + tail_count > 7 : head_count != 8) return false;
  std::array<uint16_t, 8> groups{};
  for (size_t i = 0; i < head_count; ++i) groups[i] = head[i];
  for (size_t i = 0; i < tail_count; ++i) groups[8 - tail_count + i] = tail[i];
  if (out != nullptr) {
    for (size_t i = 0; i < 8; ++i) {
      (*out)[2 * i] = static_cast<uint8_t>(groups[i] >> 8);
      (*out)[2 * i + 1] = static_cast<uint8_t>(groups[i] & 0xFF);
    }
  }
  return true;
}

bool IsValidTargetHost(std::string_view host) {
  if (host.empty()) return false;
  for (char c : host) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x21 || byte == 0x7F || c == '[' || c == ']') return false;
  }
  if (host.find(':') != std::string_view::npos) return ParseIpv6Literal(host, nullptr);
  return true;
}

}  // namespace native_ssh::core::proxy
