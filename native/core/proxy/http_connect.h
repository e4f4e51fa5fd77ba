// HTTP CONNECT handshake: RFC 9110 §9.3.6, message syntax of RFC 9112, Basic credentials of
// RFC 7617.
//
// Request (CRLF line ends):
//   CONNECT <host>:<port> HTTP/1.1          (RFC 9112 §3.2.3: authority-form; IPv6 in brackets)
//   Host: <host>:<port>
//   User-Agent: native-ssh
//   Proxy-Authorization: Basic <base64(login ":" password)>    (only when both are set)
//   <empty line>
//
// Reply: the header block is read up to its CRLFCRLF; at most kMaxHeaderBytes in total, interim
// responses included. The status line must be "HTTP/1.<digit> <3 digits>[ <reason>]" with a code
// in 100..599. Any 2xx opens the tunnel, and every byte after the CRLFCRLF is leftover for SSH:
// RFC 9110 §9.3.6 says a successful CONNECT reply has no content (a client MUST ignore its
// Content-Length and Transfer-Encoding), so the SSH banner may follow in the same segment (OPI
// lost it: behaviour doc §5.2 item 10). Interim 1xx responses (other than 101) are skipped, as
// RFC 9110 §15.2 requires of every client. The verdict on a failing status is taken as soon as the
// status line is complete; the rest of an error response is not read.
//
// Errors and codes:
//   407                 "Proxy authentication required (HTTP 407)"         PROXY_AUTH_FAILED
//   other non-2xx       "Proxy error: HTTP <code>"                          PROXY_REFUSED
//   101                 "Proxy error: HTTP 101" (switching protocols makes no sense for CONNECT)
//                                                                           PROXY_PROTOCOL
//   bad status line     "Proxy error: malformed status line"                PROXY_PROTOCOL
//   headers over limit  "Proxy error: response headers too large"           PROXY_PROTOCOL
// No retries here: the caller decides whether a fresh connection is worth it.

#ifndef NATIVE_SSH_CORE_PROXY_HTTP_CONNECT_H_
#define NATIVE_SSH_CORE_PROXY_HTTP_CONNECT_H_

#include <memory>
#include <string>
#include <string_view>

#include "core/proxy/handshake.h"

namespace native_ssh::core::proxy {

// One HTTP CONNECT on one proxy connection: owns the request still to be sent (it may hold the
// Basic token; wiped on destruction), the bytes of the response header block being read, the
// leftover after it and the outcome. Only the engine thread calls it.
class HttpConnectHandshake final : public Handshake {
 public:
  // Limit on the bytes of the response header blocks (interim and final), CRLFCRLF included.
  static constexpr size_t kMaxHeaderBytes = 16 * 1024;

  // Returns nullptr and fills *error (PROXY_UNSUPPORTED) for an invalid target host, or for a
  // login containing ':' when both credentials are set (RFC 7617 §2 forbids it in user-ids).
  static std::unique_ptr<HttpConnectHandshake> Create(const ProxyConfig& config,
                                                      const Target& target, ProxyError* error);

  static constexpr char kPrefix[] = "Proxy error: ";

  // Parses "HTTP/1.x NNN[ reason]" (no CRLF) into *status; false when malformed. Public for tests.
  static bool ParseStatusLine(std::string_view line, int* status);

 private:
  explicit HttpConnectHandshake(std::string request) : Handshake(kPrefix, std::move(request)) {}

  size_t Consume(const char* bytes, size_t len) override;
  void OnFailed() override { response_.clear(); }
  // Examines the response bytes received so far; may skip interim responses or set the verdict.
  void Step();
  // Finds needle in response_, resuming at *scan; on a miss moves *scan to where a later search
  // must start. Returns the position or npos.
  size_t FindFrom(std::string_view needle, size_t* scan) const;

  std::string response_;   // bytes of the response block being read
  size_t skipped_ = 0;     // bytes of interim responses already consumed (count against the cap)
  size_t line_scan_ = 0;   // where the search for the status line's CRLF resumes
  size_t block_scan_ = 0;  // where the search for CRLFCRLF resumes
  int status_ = 0;         // 0 until the status line of the current block is parsed
};

}  // namespace native_ssh::core::proxy

#endif  // NATIVE_SSH_CORE_PROXY_HTTP_CONNECT_H_
