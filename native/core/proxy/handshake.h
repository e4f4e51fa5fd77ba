// The proxy handshakes of native-ssh as pure state machines: bytes in, bytes out, no sockets.
//
// The session's TransportStage (native/core/transport_stage.cc, with TcpConnector) opens a TCP
// connection to the proxy server, creates a Handshake with MakeHandshake(), writes whatever
// TakeOutput() returns, feeds every byte it reads into Feed(), and repeats until the verdict is
// kDone (the tunnel to the target is open; bytes the proxy already relayed from the target are in
// TakeLeftover() and belong to SSH) or kFailed (see error()). Protocols: SOCKS4 and SOCKS4a
// (socks4.h), SOCKS5 (socks5.h, RFC 1928 and RFC 1929), HTTP CONNECT (http_connect.h, RFC 9110
// §9.3.6).
//
// Error codes (ProxyError::code), the same for all three protocols:
//   PROXY_UNSUPPORTED  the request cannot be expressed in the protocol: rejected by MakeHandshake()
//                      (IPv6 target over SOCKS4, name over 255 bytes for SOCKS5, credentials over
//                      255 bytes, malformed target host), or the proxy answered that it does not
//                      support the command or the address type (SOCKS5 replies 7 and 8).
//   PROXY_AUTH_FAILED  the proxy did not accept our credentials or wants some we did not give:
//                      SOCKS5 method FF and RFC 1929 status != 0, SOCKS4 replies 92 and 93
//                      (identd), HTTP 407.
//   PROXY_REFUSED      the proxy understood the request and declined it or could not reach the
//                      target: SOCKS5 replies 1 to 6, SOCKS4 reply 91, HTTP statuses other than
//                      2xx and 407.
//   PROXY_PROTOCOL     the proxy broke the protocol: wrong version, unknown reply code, reserved
//                      byte, unknown address type, malformed or oversized HTTP headers, a method we
//                      did not offer, or EOF before the reply was complete.
// Messages keep OPI's texts and prefixes ("SOCKS5 error: ", "SOCKS4 error: ", "Proxy error: ",
// "Proxy authentication required (HTTP 407)"); the caller adds "TCP error: " in front. No message
// ever contains the proxy password, the Basic token or the login.

#ifndef NATIVE_SSH_CORE_PROXY_HANDSHAKE_H_
#define NATIVE_SSH_CORE_PROXY_HANDSHAKE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/codes.h"
#include "core/util/wipe.h"

namespace native_ssh::core::proxy {

enum class ProxyType { kSocks4, kSocks5, kHttp };

// What the user configured for the proxy. A credential counts as set when its has_ flag is true
// or its string is non-empty (see HasLogin / HasPassword).
struct ProxyConfig {
  ProxyType type = ProxyType::kSocks5;
  std::string login;     // empty = none
  std::string password;  // empty = none; a secret: never put it in any error text
  // OPI: credentials are used only when both are set (SOCKS4 uses login alone as userid).
  bool has_login = false, has_password = false;
  // The password's buffer is zeroed (WipeString) when the config goes away.
  ~ProxyConfig() { WipeString(&password); }
};

// The SSH server the proxy is asked to connect to. host: an IPv4 literal, an IPv6 literal without
// brackets, or a DNS name (sent unresolved: the proxy resolves it).
struct Target {
  std::string host;
  uint16_t port = 0;
};

enum class Verdict { kContinue, kDone, kFailed };

struct ProxyError {
  std::string code;     // one of the k*Code constants below
  std::string message;  // OPI text with its prefix, e.g. "SOCKS5 error: connection refused"
};

inline constexpr const char* kAuthFailedCode = codes::kProxyAuthFailed;
inline constexpr const char* kRefusedCode = codes::kProxyRefused;
inline constexpr const char* kProtocolCode = codes::kProxyProtocol;
inline constexpr const char* kUnsupportedCode = codes::kProxyUnsupported;

// One proxy handshake on one TCP connection: owns the bytes still to be written, the leftover
// bytes that follow the proxy's reply, and the outcome; each protocol (a subclass) reads its reply
// in Consume(). Single-threaded: only the engine thread calls it, one call at a time.
//
// Contract shared by every implementation:
// - Once the verdict is kDone or kFailed it never changes. Feed() after kDone appends the bytes to
//   the leftover (nothing is lost); Feed() after kFailed ignores them; OnEof() returns the verdict.
// - The verdict, the error and the leftover depend only on the concatenation of the bytes fed,
//   never on how they were split across Feed() calls.
// - TakeOutput() is empty after kFailed; TakeLeftover() is empty unless the verdict is kDone.
class Handshake {
 public:
  virtual ~Handshake();  // wipes what was still to be sent
  Handshake(const Handshake&) = delete;
  Handshake& operator=(const Handshake&) = delete;

  // Bytes to write to the proxy now; empty when nothing is to be sent. Call once after creation
  // and after every Feed(). They may hold the credentials: keep them in a WipedString
  // (core/util/wipe.h) until sent. The handshake zeroes every buffer of its own that held them.
  std::string TakeOutput() { return std::exchange(output_, std::string()); }
  // Bytes received from the proxy, in any split.
  Verdict Feed(const uint8_t* data, size_t len);
  // The proxy closed the connection (EOF). Before the handshake finished this gives kFailed with
  // a PROXY_PROTOCOL error saying the proxy closed the connection during the handshake.
  Verdict OnEof();
  // After kDone: bytes received beyond the end of the proxy's reply (e.g. the SSH server's
  // banner); they belong to SSH. Moves them out: a second call returns only newer bytes.
  std::string TakeLeftover();
  // Valid after kFailed.
  const ProxyError& error() const { return error_; }
  Verdict verdict() const { return verdict_; }

 protected:
  // `prefix` starts every error message ("SOCKS5 error: "); `output` is the first request.
  Handshake(const char* prefix, std::string output) : output_(std::move(output)), prefix_(prefix) {}
  // The protocol's reading of `len` (> 0) reply bytes while the verdict is kContinue: returns
  // how many belong to the reply (once it sets kDone, the rest is leftover).
  virtual size_t Consume(const char* bytes, size_t len) = 0;
  // What a protocol drops when the handshake fails, besides the output and the leftover.
  virtual void OnFailed() {}
  // Sets kFailed with "<prefix><message>"; wipes the output, drops the leftover (OnFailed).
  void Fail(const char* code, const std::string& message) { FailWith(code, prefix_ + message); }
  // The same with a message of its own (no prefix).
  void FailWith(const char* code, std::string message);

  std::string output_;
  std::string leftover_;
  Verdict verdict_ = Verdict::kContinue;

 private:
  const char* prefix_;
  ProxyError error_;
};

// For the protocols' Create(): fills `error` (when given) with PROXY_UNSUPPORTED and
// "<prefix><message>"; returns nullptr.
std::nullptr_t RejectRequest(ProxyError* error, const char* prefix, const char* message);

// Validates config + target and creates the handshake for config.type. Returns nullptr and fills
// *error (code PROXY_UNSUPPORTED, message with the protocol's prefix) when the request cannot be
// made: SOCKS4 with an IPv6 target, SOCKS5 with a name over 255 bytes or credentials that are
// empty or over 255 bytes, a login with ':' for HTTP Basic, an empty host or one with control
// characters, spaces, brackets or a ':' that is not part of an IPv6 literal.
std::unique_ptr<Handshake> MakeHandshake(const ProxyConfig& config, const Target& target,
                                         ProxyError* error);

// Helpers shared by the handshakes (and their tests).

inline bool HasLogin(const ProxyConfig& config) {
  return config.has_login || !config.login.empty();
}
inline bool HasPassword(const ProxyConfig& config) {
  return config.has_password || !config.password.empty();
}

// Strict dotted-quad IPv4 literal: four decimal parts 0..255, no leading zeros, nothing else.
bool ParseIpv4Literal(std::string_view text, std::array<uint8_t, 4>* out);

// IPv6 literal in the text forms of RFC 4291 §2.2 ("::" once, 1 to 4 hex digits per group, an
// optional trailing dotted quad); no brackets, no zone id. Writes network byte order.
bool ParseIpv6Literal(std::string_view text, std::array<uint8_t, 16>* out);

// True when host may be sent to a proxy: non-empty, no bytes below 0x21 or equal to 0x7F, no
// brackets, and any ':' only as part of a valid IPv6 literal.
bool IsValidTargetHost(std::string_view host);

}  // namespace native_ssh::core::proxy

#endif  // NATIVE_SSH_CORE_PROXY_HANDSHAKE_H_
