#include "core/proxy/socks5.h"

#include <algorithm>
#include <array>
#include <utility>

#include "core/util/wipe.h"

namespace native_ssh::core::proxy {

namespace {

constexpr uint8_t kVersion = 5;
constexpr uint8_t kAuthVersion = 1;  // RFC 1929 §2
constexpr uint8_t kMethodNone = 0x00;
constexpr uint8_t kMethodPassword = 0x02;
constexpr uint8_t kMethodNoAcceptable = 0xFF;
constexpr uint8_t kCmdConnect = 1;
constexpr uint8_t kAtypIpv4 = 1;
constexpr uint8_t kAtypName = 3;
constexpr uint8_t kAtypIpv6 = 4;
constexpr size_t kMaxField = 255;
constexpr size_t kReplyHeader = 4;  // VER REP RSV ATYP

std::nullptr_t Reject(ProxyError* error, const char* message) {
  return RejectRequest(error, Socks5Handshake::kPrefix, message);
}

}  // namespace

std::unique_ptr<Socks5Handshake> Socks5Handshake::Create(const ProxyConfig& config,
                                                         const Target& target, ProxyError* error) {
  if (!IsValidTargetHost(target.host)) return Reject(error, "invalid target host");

  // OPI offers username/password only when both are set, and keeps no-auth as the fallback.
  const bool credentials = HasLogin(config) && HasPassword(config);
  std::string greeting;
  std::string auth;
  if (credentials) {
    if (config.login.empty() || config.login.size() > kMaxField) {
      return Reject(error, "invalid username");
    }
    if (config.password.empty() || config.password.size() > kMaxField) {
      return Reject(error, "invalid password");
    }
    greeting = {static_cast<char>(kVersion), 2, static_cast<char>(kMethodPassword),
                static_cast<char>(kMethodNone)};
    // One buffer at its final size: growing it would free copies of the password unzeroed.
    auth.reserve(3 + config.login.size() + config.password.size());
    auth += static_cast<char>(kAuthVersion);
    auth += static_cast<char>(config.login.size());
    auth += config.login;
    auth += static_cast<char>(config.password.size());
    auth += config.password;
  } else {
    greeting = {static_cast<char>(kVersion), 1, static_cast<char>(kMethodNone)};
  }

  std::string connect = {static_cast<char>(kVersion), static_cast<char>(kCmdConnect), 0};
  std::array<uint8_t, 4> v4{};
  std::array<uint8_t, 16> v6{};
  if (ParseIpv4Literal(target.host, &v4)) {
    connect += static_cast<char>(kAtypIpv4);
    connect.append(reinterpret_cast<const char*>(v4.data()), v4.size());
  } else if (ParseIpv6Literal(target.host, &v6)) {
    connect += static_cast<char>(kAtypIpv6);
    connect.append(reinterpret_cast<const char*>(v6.data()), v6.size());
  } else {
    // The name goes to the proxy unresolved (RFC 1928 §5, X'03'); its length is one byte.
    if (target.host.size() > kMaxField) {
      WipeString(&auth);
      return Reject(error, "domain name too long");
    }
    connect += static_cast<char>(kAtypName);
    connect += static_cast<char>(target.host.size());
    connect += target.host;
  }
  connect += static_cast<char>(target.port >> 8);
  connect += static_cast<char>(target.port & 0xFF);
  auto handshake = std::unique_ptr<Socks5Handshake>(
      new Socks5Handshake(std::move(greeting), std::move(auth), std::move(connect)));
  WipeString(&auth);  // a short request's bytes stay in the inline buffer a move leaves behind
  return handshake;
}

Socks5Handshake::Socks5Handshake(std::string greeting, std::string auth_request,
                                 std::string connect_request)
    : Handshake(kPrefix, std::move(greeting)),
      auth_request_(std::move(auth_request)),
      connect_request_(std::move(connect_request)) {
  WipeString(&auth_request);
}

Socks5Handshake::~Socks5Handshake() { WipeString(&auth_request_); }

size_t Socks5Handshake::Consume(const char* bytes, size_t len) {
  size_t used = 0;
  // Take no more than the message being read can need, so that the bytes after the final reply
  // stay for the leftover whatever the split.
  while (verdict_ == Verdict::kContinue && used < len) {
    const size_t take = std::min(BytesWanted(), len - used);
    message_.append(bytes + used, take);
    used += take;
    Step();
  }
  return used;
}

size_t Socks5Handshake::BytesWanted() const {
  const size_t have = message_.size();
  if (stage_ != Stage::kReply) return 2 - have;  // both the method and the RFC 1929 reply
  if (have < kReplyHeader) return kReplyHeader - have;
  size_t total = 0;
  switch (static_cast<uint8_t>(message_[3])) {
    case kAtypIpv4: total = kReplyHeader + 4 + 2; break;
    case kAtypIpv6: total = kReplyHeader + 16 + 2; break;
    default:  // kAtypName; Step() has rejected every other type already
      if (have == kReplyHeader) return 1;
      total = kReplyHeader + 1 + static_cast<uint8_t>(message_[4]) + 2;
      break;
  }
  return total - have;
}

void Socks5Handshake::Step() {
  switch (stage_) {
    case Stage::kMethod: return StepMethod();
    case Stage::kAuth: return StepAuth();
    case Stage::kReply: return StepReply();
  }
}

void Socks5Handshake::StepMethod() {
  if (message_.size() >= 1 && static_cast<uint8_t>(message_[0]) != kVersion) {
    return Fail(kProtocolCode, "invalid response version");
  }
  if (message_.size() < 2) return;
  const auto method = static_cast<uint8_t>(message_[1]);
  message_.clear();
  if (method == kMethodPassword && !auth_request_.empty()) {
    stage_ = Stage::kAuth;
    // output_ is empty here (TakeOutput() moved it out): the request moves in, no copy.
    if (output_.empty()) {
      WipeString(&output_);
      output_ = std::move(auth_request_);
    } else {
      output_ += auth_request_;
    }
    WipeString(&auth_request_);
  } else if (method == kMethodNone) {
    WipeString(&auth_request_);
    stage_ = Stage::kReply;
    output_ += connect_request_;
  } else if (method == kMethodNoAcceptable) {
    Fail(kAuthFailedCode, "no acceptable auth methods");
  } else {
    Fail(kProtocolCode, "unknown auth method");
  }
}

void Socks5Handshake::StepAuth() {
  if (message_.size() >= 1 && static_cast<uint8_t>(message_[0]) != kAuthVersion) {
    return Fail(kProtocolCode, "invalid response version");
  }
  if (message_.size() < 2) return;
  // RFC 1929 §2: any STATUS other than X'00' is a failure and the server closes the connection.
  if (message_[1] != 0) return Fail(kAuthFailedCode, "password authentication failed");
  message_.clear();
  stage_ = Stage::kReply;
  output_ += connect_request_;
}

void Socks5Handshake::StepReply() {
  const size_t have = message_.size();
  if (have >= 1 && static_cast<uint8_t>(message_[0]) != kVersion) {
    return Fail(kProtocolCode, "invalid response version");
  }
  if (have >= 2) {
    switch (static_cast<uint8_t>(message_[1])) {
      case 0: break;
      case 1: return Fail(kRefusedCode, "general SOCKS server failure");
      case 2: return Fail(kRefusedCode, "connection not allowed by ruleset");
      case 3: return Fail(kRefusedCode, "network unreachable");
      case 4: return Fail(kRefusedCode, "host unreachable");
      case 5: return Fail(kRefusedCode, "connection refused");
      case 6: return Fail(kRefusedCode, "TTL expired");
      case 7: return Fail(kUnsupportedCode, "command not supported");
      case 8: return Fail(kUnsupportedCode, "address kind not supported");
      default: return Fail(kProtocolCode, "unknown error");
    }
  }
  if (have >= 3 && message_[2] != 0) return Fail(kProtocolCode, "invalid reserved byte");
  if (have >= 4) {
    const auto atyp = static_cast<uint8_t>(message_[3]);
    if (atyp != kAtypIpv4 && atyp != kAtypName && atyp != kAtypIpv6) {
      return Fail(kProtocolCode, "unsupported address type");
    }
    if (BytesWanted() == 0) {
      // BND.ADDR and BND.PORT are read only to find where the tunnel starts.
      message_.clear();
      verdict_ = Verdict::kDone;
    }
  }
}

void Socks5Handshake::OnFailed() {
  WipeString(&auth_request_);
  message_.clear();
}

}  // namespace native_ssh::core::proxy
