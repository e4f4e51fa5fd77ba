// SOCKS4 and SOCKS4a CONNECT handshake.
//
// Protocol notes: "SOCKS: A protocol for TCP proxy across firewalls" (Ying-Da Lee, the SOCKS4
// specification) and "SOCKS 4A: A Simple Extension to SOCKS 4 Protocol" (same author). There is no
// RFC for either.
//
// Request: VN=4, CD=1 (CONNECT), DSTPORT (2 bytes, big endian), DSTIP (4 bytes), USERID, NUL.
// SOCKS4a (target given by name): DSTIP = 0.0.0.1, and after the USERID's NUL the name and a NUL;
// the proxy resolves the name. USERID = the configured login (OPI), the password is never sent.
// Reply: 8 bytes, VN=0, CD, DSTPORT, DSTIP (the last two are ignored).
//
// Reply code -> error (prefix "SOCKS4 error: "):
//   first byte != 0  "invalid response version"                              PROXY_PROTOCOL
//   90               granted: kDone
//   91               "request rejected or failed"                            PROXY_REFUSED
//   92               "request rejected because SOCKS server cannot connect to identd on the client"
//                                                                            PROXY_AUTH_FAILED
//   93               "request rejected because the client program and identd report different
//                    user-ids"                                               PROXY_AUTH_FAILED
//   other            "invalid response code"                                 PROXY_PROTOCOL
// (92 and 93 are about identd, the only way SOCKS4 identifies a user, hence AUTH_FAILED. OPI spells
// "identd" as "idnetd" in 92; we spell it correctly.) The verdict is taken as soon as the first two
// bytes show it, so a proxy that sends a short refusal and closes still gives the right error.

#ifndef NATIVE_SSH_CORE_PROXY_SOCKS4_H_
#define NATIVE_SSH_CORE_PROXY_SOCKS4_H_

#include <memory>
#include <string>

#include "core/proxy/handshake.h"

namespace native_ssh::core::proxy {

// One SOCKS4/4a CONNECT on one proxy connection: owns the request still to be sent, the reply bytes
// received so far, the leftover after the reply and the outcome. Only the engine thread calls it.
class Socks4Handshake final : public Handshake {
 public:
  // Returns nullptr and fills *error (PROXY_UNSUPPORTED) for an IPv6 target, an invalid host, a
  // name over 255 bytes, or a login over 255 bytes or containing a NUL byte.
  static std::unique_ptr<Socks4Handshake> Create(const ProxyConfig& config, const Target& target,
                                                 ProxyError* error);

  static constexpr char kPrefix[] = "SOCKS4 error: ";

 private:
  explicit Socks4Handshake(std::string request) : Handshake(kPrefix, std::move(request)) {}

  size_t Consume(const char* bytes, size_t len) override;
  // Examines the reply bytes received so far; may set the verdict.
  void CheckReply();

  std::string reply_;  // at most the 8 reply bytes
};

}  // namespace native_ssh::core::proxy

#endif  // NATIVE_SSH_CORE_PROXY_SOCKS4_H_
