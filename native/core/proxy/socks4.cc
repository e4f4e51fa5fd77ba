#include "core/proxy/socks4.h"

#include <algorithm>
#include <array>
#include <utility>

namespace native_ssh::core::proxy {

namespace {

constexpr size_t kReplySize = 8;
constexpr size_t kMaxField = 255;
constexpr uint8_t kVersion = 4;
constexpr uint8_t kConnect = 1;
constexpr uint8_t kGranted = 90;
constexpr uint8_t kRejected = 91;
constexpr uint8_t kNoIdentd = 92;
constexpr uint8_t kIdentdMismatch = 93;

std::nullptr_t Reject(ProxyError* error, const char* message) {
  return RejectRequest(error, Socks4Handshake::kPrefix, message);
}

}  // namespace

std::unique_ptr<Socks4Handshake> Socks4Handshake::Create(const ProxyConfig& config,
                                                         const Target& target, ProxyError* error) {
  if (ParseIpv6Literal(target.host, nullptr)) {
    return Reject(error, "SOCKS4 does not support IPv6");
  }
  if (!IsValidTargetHost(target.host)) return Reject(error, "invalid target host");
  // The userid is NUL-terminated on the wire, so it cannot contain a NUL itself.
  const std::string userid = HasLogin(config) ? config.login : std::string();
  if (userid.size() > kMaxField || userid.find('\0') != std::string::npos) {
    return Reject(error, "invalid userid");
  }
  std::array<uint8_t, 4> ip{};
  const bool socks4a = !ParseIpv4Literal(target.host, &ip);
  if (socks4a) {
    if (target.host.size() > kMaxField) return Reject(error, "domain name too long");
    // SOCKS4a: 0.0.0.x with x != 0 tells the proxy that a name follows the userid.
    ip = {0, 0, 0, 1};
  }
  std::string request;
  request += static_cast<char>(kVersion);
  request += static_cast<char>(kConnect);
  request += static_cast<char>(target.port >> 8);
  request += static_cast<char>(target.port & 0xFF);
  request.append(reinterpret_cast<const char*>(ip.data()), ip.size());
  request += userid;
  request += '\0';
  if (socks4a) {
    request += target.host;
    request += '\0';
  }
  return std::unique_ptr<Socks4Handshake>(new Socks4Handshake(std::move(request)));
}

size_t Socks4Handshake::Consume(const char* bytes, size_t len) {
  const size_t take = std::min(len, kReplySize - reply_.size());
  reply_.append(bytes, take);
  CheckReply();
  return take;
}

void Socks4Handshake::CheckReply() {
  if (reply_.size() >= 1 && reply_[0] != 0) return Fail(kProtocolCode, "invalid response version");
  if (reply_.size() < 2) return;
  switch (static_cast<uint8_t>(reply_[1])) {
    case kGranted:
      // DSTPORT and DSTIP carry nothing we need, but they must be consumed before SSH starts.
      if (reply_.size() == kReplySize) verdict_ = Verdict::kDone;
      return;
    case kRejected: return Fail(kRefusedCode, "request rejected or failed");
    case kNoIdentd:
      return Fail(kAuthFailedCode,
                  "request rejected because SOCKS server cannot connect to identd on the client");
    case kIdentdMismatch:
      return Fail(kAuthFailedCode,
                  "request rejected because the client program and identd report different "
                  "user-ids");
    default: return Fail(kProtocolCode, "invalid response code");
  }
}

}  // namespace native_ssh::core::proxy
