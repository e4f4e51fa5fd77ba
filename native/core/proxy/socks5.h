// SOCKS5 CONNECT handshake: RFC 1928, with the username/password method of RFC 1929.
//
// Exchange (one message at a time; the next request is queued only after the reply before it):
//   greeting  05 01 00             no credentials (or only one of login and password)
//             05 02 02 00          login and password both set: username/password, then no-auth
//   method    05 <METHOD>          (RFC 1928 §3)
//   auth      01 ULEN UNAME PLEN PASSWD, reply 01 STATUS     (RFC 1929 §2, only for METHOD 02)
//   request   05 01 00 ATYP DST.ADDR DST.PORT                (RFC 1928 §4: ATYP 1 IPv4 literal,
//             4 IPv6 literal, 3 name sent unresolved with a length byte)
//   reply     05 REP 00 ATYP BND.ADDR BND.PORT               (RFC 1928 §6; BND.* is discarded)
//
// Errors (prefix "SOCKS5 error: "), and the codes we chose:
//   version byte != 5 (or != 1 in the RFC 1929 reply)  "invalid response version"   PROXY_PROTOCOL
//   METHOD FF                               "no acceptable auth methods"          PROXY_AUTH_FAILED
//   METHOD not offered by us                "unknown auth method"                 PROXY_PROTOCOL
//   RFC 1929 STATUS != 0                    "password authentication failed"      PROXY_AUTH_FAILED
//   REP 1 "general SOCKS server failure", 2 "connection not allowed by ruleset",
//       3 "network unreachable", 4 "host unreachable", 5 "connection refused", 6 "TTL expired"
//                                                                                 PROXY_REFUSED
//       (1 is the proxy's own "could not do it", like SOCKS4's 91, so it is a refusal, not a
//       protocol violation)
//   REP 7 "command not supported", 8 "address kind not supported"               PROXY_UNSUPPORTED
//       (the proxy cannot do CONNECT or cannot take the address type we had to use)
//   REP 9..FF "unknown error"                                                   PROXY_PROTOCOL
//   RSV != 0                                "invalid reserved byte"               PROXY_PROTOCOL
//   BND ATYP not 1, 3 or 4                  "unsupported address type"            PROXY_PROTOCOL
// Checks run in byte order as soon as the byte is there, so a refusal sent without the bound
// address still gives the right error.

#ifndef NATIVE_SSH_CORE_PROXY_SOCKS5_H_
#define NATIVE_SSH_CORE_PROXY_SOCKS5_H_

#include <memory>
#include <string>

#include "core/proxy/handshake.h"

namespace native_ssh::core::proxy {

// One SOCKS5 CONNECT on one proxy connection: owns the requests still to be sent (including the
// RFC 1929 message with the password, wiped once sent or no longer needed), the bytes of the
// reply being read, the leftover after the final reply and the outcome. Only the engine thread
// calls it.
class Socks5Handshake final : public Handshake {
 public:
  // Returns nullptr and fills *error (PROXY_UNSUPPORTED) for an invalid target host, a name over
  // 255 bytes, or (when both credentials are set) a login or password that is empty or over 255
  // bytes ("invalid username" / "invalid password": RFC 1929 lengths are 1..255).
  static std::unique_ptr<Socks5Handshake> Create(const ProxyConfig& config, const Target& target,
                                                 ProxyError* error);
  ~Socks5Handshake() override;

  static constexpr char kPrefix[] = "SOCKS5 error: ";

 private:
  enum class Stage { kMethod, kAuth, kReply };

  Socks5Handshake(std::string greeting, std::string auth_request, std::string connect_request);

  size_t Consume(const char* bytes, size_t len) override;
  void OnFailed() override;
  // How many more bytes the message being read may need; at least 1.
  size_t BytesWanted() const;
  // Examines the bytes of the message being read; may move to the next stage or set the verdict.
  void Step();
  void StepMethod();
  void StepAuth();
  void StepReply();

  Stage stage_ = Stage::kMethod;
  std::string auth_request_;  // empty when no credentials are offered; holds the password
  std::string connect_request_;
  std::string message_;  // bytes of the reply being read
};

}  // namespace native_ssh::core::proxy

#endif  // NATIVE_SSH_CORE_PROXY_SOCKS5_H_
