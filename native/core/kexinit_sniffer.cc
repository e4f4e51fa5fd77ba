#include "core/kexinit_sniffer.h"

#include <algorithm>
#include <sstream>

namespace native_ssh::core {

namespace {

constexpr size_t kMaxSniff = 64 * 1024;  // banner lines + one KEXINIT; more means something odd
constexpr uint8_t kMsgKexinit = 20;

uint32_t ReadU32(const std::string& s, size_t at) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(s[at])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(s[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(s[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(s[at + 3]));
}

std::vector<std::string> Split(const std::string& list) {
  std::vector<std::string> names;
  std::stringstream stream(list);
  std::string name;
  while (std::getline(stream, name, ',')) {
    if (!name.empty() && !IsExtensionMarker(name)) names.push_back(name);
  }
  return names;
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ",") + name;
  return out;
}

bool Shares(const std::string& a, const std::string& b) {
  for (const std::string& x : Split(a)) {
    for (const std::string& y : Split(b)) {
      if (x == y) return true;
    }
  }
  return false;
}

}  // namespace

bool IsExtensionMarker(const std::string& name) {
  return name.rfind("ext-info-", 0) == 0 || name.rfind("kex-strict-", 0) == 0;
}

void KexinitSniffer::Feed(const uint8_t* data, size_t length) {
  if (done_ || given_up_) return;
  buffer_.append(reinterpret_cast<const char*>(data), length);
  Parse();
  if (!done_ && sniffed_ + buffer_.size() > kMaxSniff) {
    given_up_ = true;
    buffer_.clear();
  }
}

void KexinitSniffer::Parse() {
  // Skip the identification line and any lines before it (RFC 4253 §4.2). Each byte is looked at
  // once: complete lines leave the buffer, and the search resumes where it stopped (libssh2 hands
  // the banner over one byte at a time).
  size_t line = 0;  // where the line being looked at starts in buffer_
  while (!identified_) {
    const size_t end = buffer_.find('\n', std::max(scanned_, line));
    if (end == std::string::npos) {
      scanned_ = buffer_.size();
      break;
    }
    identified_ = buffer_.compare(line, 4, "SSH-") == 0;
    line = end + 1;
  }
  if (line > 0) {
    buffer_.erase(0, line);
    sniffed_ += line;
    scanned_ = scanned_ > line ? scanned_ - line : 0;
  }
  if (!identified_) return;
  const size_t at = 0;
  // The first binary packet: uint32 packet_length, byte padding_length, payload, padding.
  if (buffer_.size() < at + 5) return;
  const uint32_t packet_length = ReadU32(buffer_, at);
  if (packet_length < 2 || packet_length > 35000) {
    given_up_ = true;
    return;
  }
  if (buffer_.size() < at + 4 + packet_length) return;
  const uint8_t padding = static_cast<uint8_t>(buffer_[at + 4]);
  if (padding + 1u > packet_length) {
    given_up_ = true;
    return;
  }
  const std::string payload = buffer_.substr(at + 5, packet_length - padding - 1);
  if (payload.empty() || static_cast<uint8_t>(payload[0]) != kMsgKexinit || payload.size() < 17) {
    given_up_ = true;
    return;
  }
  size_t pos = 17;  // message number + 16-byte cookie
  for (int i = 0; i < kListCount; ++i) {
    if (payload.size() < pos + 4) {
      given_up_ = true;
      return;
    }
    const uint32_t n = ReadU32(payload, pos);
    pos += 4;
    if (payload.size() < pos + n) {
      given_up_ = true;
      return;
    }
    lists_[i] = payload.substr(pos, n);
    pos += n;
  }
  done_ = true;
  buffer_.clear();
  buffer_.shrink_to_fit();
}

std::string DescribeNegotiationFailure(const std::string ours[KexinitSniffer::kListCount],
                                       const KexinitSniffer& server) {
  if (!server.done()) return "";
  static const char* const kNames[] = {"key exchange",
                                       "host key algorithm",
                                       "cipher (client to server)",
                                       "cipher (server to client)",
                                       "MAC (client to server)",
                                       "MAC (server to client)",
                                       "compression (client to server)",
                                       "compression (server to client)"};
  for (int i = 0; i < KexinitSniffer::kListCount; ++i) {
    if (ours[i].empty()) continue;
    const std::string& theirs = server.list(static_cast<KexinitSniffer::List>(i));
    if (!Shares(ours[i], theirs)) {
      return std::string("no common ") + kNames[i] + ": we offer " + Join(Split(ours[i])) +
             "; the server offers " + Join(Split(theirs));
    }
  }
  return "";
}

}  // namespace native_ssh::core
