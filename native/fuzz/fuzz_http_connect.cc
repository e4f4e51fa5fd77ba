// libFuzzer target: the HTTP CONNECT handshake (RFC 9110 §9.3.6) against arbitrary proxy replies.
//
// Input layout, runs and shared invariants: proxy_fuzz_harness.h, with one more chunk kind: the
// first lead byte c in 0x80..0xBF stands for ((c & 0x3F) + 1) * 512 copies of the next input byte.
// The stream is also fed all at once and one byte at a time (7 at a time for streams over 4 KiB).
// HTTP adds: a message starts with "Proxy error: " or is the 407 one, it never contains the Basic
// token, and kDone comes only at a CRLFCRLF within the header limit, after a CONNECT request.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/proxy/http_connect.h"
#include "core/util/base64.h"
#include "proxy_fuzz_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace native_ssh::fuzz;
  using native_ssh::core::proxy::HttpConnectHandshake;
  Reader in(data, size);
  const ProxyCase run = ReadCase(in, ProxyType::kHttp);
  const ProxyConfig& config = run.config;
  // The Basic token of this run (empty without credentials) must not show in any message.
  const ErrorRules rules{"Proxy error: ", "Proxy authentication required (HTTP 407)",
                         config.has_login && config.has_password
                             ? native_ssh::core::Base64Encode(config.login + ":" + config.password)
                             : std::string()};

  std::string stream;
  std::vector<size_t> sizes;
  bool filled = false;
  ReadChunks(
      in,
      [&filled](Reader& chunk_in, uint8_t c) {
        if (c >= 0x80 && c < 0xC0 && !filled) {
          // Filler, so that short inputs can reach the header limit: 512..32768 copies of one
          // byte. Once per input: more would only slow the fuzzer down.
          filled = true;
          return std::string((static_cast<size_t>(c & 0x3F) + 1) * 512,
                             static_cast<char>(chunk_in.Byte()));
        }
        return PlainChunk(chunk_in, c);
      },
      &stream, &sizes);

  // One byte at a time; past 4 KiB (filler) in 7-byte steps, which keeps the run fast and still
  // splits every delimiter somewhere.
  const Outcome chunked = DriveAllSplits(rules, run, stream, sizes, stream.size() <= 4096 ? 1 : 7);
  if (chunked.verdict == Verdict::kDone) {
    // What was consumed ends with the blank line, within the header limit.
    const size_t consumed = stream.size() - chunked.leftover.size();
    Check(consumed >= 4 && stream.compare(consumed - 4, 4, "\r\n\r\n") == 0,
          "done before the end of the headers");
    Check(consumed <= HttpConnectHandshake::kMaxHeaderBytes, "header limit not enforced");
    Check(chunked.written.compare(0, 8, "CONNECT ") == 0, "request line");
  }
  return 0;
}
