#include "core/proxy/http_connect.h"

#include <algorithm>
#include <utility>

#include "core/util/base64.h"
#include "core/util/wipe.h"

namespace native_ssh::core::proxy {

namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kEndOfHeaders = "\r\n\r\n";
std::nullptr_t Reject(ProxyError* error, const char* message) {
  return RejectRequest(error, HttpConnectHandshake::kPrefix, message);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

constexpr std::string_view kBasic = "Proxy-Authorization: Basic ";

}  // namespace

std::unique_ptr<HttpConnectHandshake> HttpConnectHandshake::Create(const ProxyConfig& config,
                                                                   const Target& target,
                                                                   ProxyError* error) {
  // The host goes into the request line and a header: control characters and spaces would let it
  // rewrite the request, so IsValidTargetHost() rejects them.
  if (!IsValidTargetHost(target.host)) return Reject(error, "invalid target host");
  const bool credentials = HasLogin(config) && HasPassword(config);
  if (credentials && config.login.find(':') != std::string::npos) {
    return Reject(error, "login must not contain ':' for HTTP Basic authentication");
  }
  // RFC 9112 §3.2.3 authority-form; an IPv6 literal needs brackets (RFC 3986 §3.2.2).
  const bool ipv6 = ParseIpv6Literal(target.host, nullptr);
  const std::string authority =
      (ipv6 ? "[" + target.host + "]" : target.host) + ":" + std::to_string(target.port);
  const std::string head =
      "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\nUser-Agent: native-ssh\r\n";
  // The request holds the Basic token: it is written into one buffer reserved at its final size
  // (no reallocation leaves a copy behind), and login:password is zeroed once encoded.
  const size_t pair_size = config.login.size() + 1 + config.password.size();
  std::string request;
  request.reserve(head.size() + (credentials ? kBasic.size() + Base64Length(pair_size) + 2 : 0) +
                  2);
  request += head;
  if (credentials) {
    std::string pair;
    pair.reserve(pair_size);
    pair += config.login;
    pair += ':';
    pair += config.password;
    request += kBasic;
    Base64EncodeTo(pair, &request);
    WipeString(&pair);
    request += "\r\n";
  }
  request += "\r\n";
  return std::unique_ptr<HttpConnectHandshake>(new HttpConnectHandshake(std::move(request)));
}

bool HttpConnectHandshake::ParseStatusLine(std::string_view line, int* status) {
  // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]. Many servers
  // drop the second SP when the reason is empty; we accept that one leniency.
  constexpr std::string_view kVersion = "HTTP/1.";
  if (line.size() < kVersion.size() + 5 || line.substr(0, kVersion.size()) != kVersion) {
    return false;
  }
  size_t i = kVersion.size();
  if (!IsDigit(line[i]) || line[i + 1] != ' ') return false;
  i += 2;
  if (line.size() < i + 3 || !IsDigit(line[i]) || !IsDigit(line[i + 1]) || !IsDigit(line[i + 2])) {
    return false;
  }
  const int code = (line[i] - '0') * 100 + (line[i + 1] - '0') * 10 + (line[i + 2] - '0');
  if (code < 100 || code > 599) return false;  // RFC 9110 §15
  i += 3;
  if (i < line.size()) {
    if (line[i] != ' ') return false;
    // reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
    for (++i; i < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      if (c != '\t' && (c < 0x20 || c == 0x7F)) return false;
    }
  }
  *status = code;
  return true;
}

size_t HttpConnectHandshake::Consume(const char* bytes, size_t len) {
  // Everything is appended; Step() moves what follows the header block into the leftover. The
  // buffer cannot grow past the cap plus one Feed(), since Step() fails at the cap.
  response_.append(bytes, len);
  Step();
  return len;
}

size_t HttpConnectHandshake::FindFrom(std::string_view needle, size_t* scan) const {
  const size_t pos = response_.find(needle.data(), *scan, needle.size());
  if (pos == std::string::npos) {
    // A match may still start in the last needle.size() - 1 bytes.
    *scan = response_.size() >= needle.size() ? response_.size() - needle.size() + 1 : 0;
  }
  return pos;
}

void HttpConnectHandshake::Step() {
  while (verdict_ == Verdict::kContinue) {
    // Every decision is made on byte positions relative to the cap, so the outcome does not
    // depend on how the response was split across Feed() calls.
    const size_t budget = kMaxHeaderBytes - skipped_;
    if (status_ == 0) {
      const size_t eol = FindFrom(kCrlf, &line_scan_);
      if (eol == std::string::npos || eol + kCrlf.size() > budget) {
        if (eol != std::string::npos || response_.size() >= budget) {
          return Fail(kProtocolCode, "response headers too large");
        }
        return;  // need more
      }
      int status = 0;
      if (!ParseStatusLine(std::string_view(response_).substr(0, eol), &status)) {
        return Fail(kProtocolCode, "malformed status line");
      }
      status_ = status;
      if (status_ == 407) {
        return FailWith(kAuthFailedCode, "Proxy authentication required (HTTP 407)");
      }
      // Some proxies (tinyproxy 1.11) answer wrong credentials with 401 instead of 407.
      if (status_ == 401) {
        return Fail(kAuthFailedCode, "HTTP 401 (proxy authentication failed)");
      }
      if (status_ == 101) {
        return Fail(kProtocolCode, "HTTP 101");
      }
      if (status_ >= 300) {
        return Fail(kRefusedCode, "HTTP " + std::to_string(status_));
      }
      // 1xx and 2xx: read on to the end of this header block.
      block_scan_ = eol;
    }
    const size_t end_pos = FindFrom(kEndOfHeaders, &block_scan_);
    if (end_pos == std::string::npos || end_pos + kEndOfHeaders.size() > budget) {
      if (end_pos != std::string::npos || response_.size() >= budget) {
        return Fail(kProtocolCode, "response headers too large");
      }
      return;  // need more
    }
    const size_t end = end_pos + kEndOfHeaders.size();
    if (status_ >= 200) {
      leftover_ = response_.substr(end);
      response_.clear();
      verdict_ = Verdict::kDone;
      return;
    }
    // An interim response (RFC 9110 §15.2) has no content; the final response follows it.
    skipped_ += end;
    response_.erase(0, end);
    status_ = 0;
    line_scan_ = 0;
  }
}

}  // namespace native_ssh::core::proxy
