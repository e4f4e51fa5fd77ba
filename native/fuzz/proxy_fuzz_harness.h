// The harness shared by the libFuzzer targets of the proxy handshakes (fuzz_socks4, fuzz_socks5,
// fuzz_http_connect): the input reader, the chunk driver, the comparison of the three splits and
// the invariants every handshake must keep. Each target adds its proxy type, its error prefix,
// its own invariants and, for HTTP, its filler chunks.
//
// Input layout (the committed corpora in native/fuzz/corpus/ depend on it):
//   flags                         bit 0: login, bit 1: password, bits 2..4: host kind,
//                                 bit 5: 256-byte host (kind 3), bit 6: 256-byte login,
//                                 bit 7: 256-byte password
//   [login length, login]         with bit 0 and not bit 6
//   [host length, host]           host kinds 4..7
//   port                          2 bytes, big-endian
//   chunks of the proxy's bytes   each led by one byte c: c < 0xC0 takes the next c & 0x3F input
//                                 bytes, c >= 0xC0 takes all the rest (a target may read some
//                                 values of c otherwise, see ReadChunks)
// The stream is fed in those chunks, all at once and in small steps: the three runs must agree.
// Invariants: Feed's result is verdict(), the verdict never changes once final, EOF fails an open
// handshake with PROXY_PROTOCOL and changes no final verdict, a failure has a known code and a
// prefixed message that does not contain the password (nor a target's secret), writes nothing more
// and leaves nothing over, and the leftover exists only after kDone and is a suffix of the bytes
// fed; bytes fed after kDone come back as leftover.

#ifndef NATIVE_SSH_FUZZ_PROXY_FUZZ_HARNESS_H_
#define NATIVE_SSH_FUZZ_PROXY_FUZZ_HARNESS_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/proxy/handshake.h"

namespace native_ssh::fuzz {

using core::proxy::MakeHandshake;
using core::proxy::ProxyConfig;
using core::proxy::ProxyError;
using core::proxy::ProxyType;
using core::proxy::Target;
using core::proxy::Verdict;

// The password of every run with one (unless flag bit 7 asks for 256 'p'): never to be leaked.
constexpr std::string_view kPassword = "Fuzz-Pa55word-9731";

// A broken invariant is a crash: libFuzzer saves the input that caused it.
inline void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

// Consumes the fuzzer input front to back; reads past the end give zeros / empty strings.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t Byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::string Bytes(size_t n) {
    n = n < size_ - pos_ ? n : size_ - pos_;
    std::string out(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return out;
  }
  size_t remaining() const { return size_ - pos_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// What a target's error messages must look like.
struct ErrorRules {
  std::string_view prefix;  // every message starts with it and says more...
  std::string_view exact;   // ...or is exactly this one (empty: no such message)
  std::string secret;       // besides kPassword, never in a message (empty: nothing)
};

// The proxy and the target the input asks for.
struct ProxyCase {
  ProxyConfig config;
  Target target;
};

struct Outcome {
  Verdict verdict = Verdict::kContinue;
  ProxyError error;
  std::string written;
  std::string leftover;
};

inline bool IsKnownCode(const std::string& code) {
  return code == "PROXY_AUTH_FAILED" || code == "PROXY_REFUSED" || code == "PROXY_PROTOCOL" ||
         code == "PROXY_UNSUPPORTED";
}

inline void CheckError(const ErrorRules& rules, const ProxyError& error) {
  Check(IsKnownCode(error.code), "unknown error code");
  Check((!rules.exact.empty() && error.message == rules.exact) ||
            (error.message.size() > rules.prefix.size() &&
             error.message.compare(0, rules.prefix.size(), rules.prefix) == 0),
        "message without prefix");
  Check(error.message.find(kPassword) == std::string::npos, "password in message");
  Check(rules.secret.empty() || error.message.find(rules.secret) == std::string::npos,
        "token in message");
}

// Reads the flags, the credentials, the host and the port (the layout above) for a proxy of
// `type`.
inline ProxyCase ReadCase(Reader& in, ProxyType type) {
  ProxyCase out;
  const uint8_t flags = in.Byte();
  ProxyConfig& config = out.config;
  config.type = type;
  if (flags & 0x01) {
    config.has_login = true;
    config.login = (flags & 0x40) ? std::string(256, 'u') : in.Bytes(in.Byte());
  }
  if (flags & 0x02) {
    config.has_password = true;
    config.password = (flags & 0x80) ? std::string(256, 'p') : std::string(kPassword);
  }
  Target& target = out.target;
  switch (flags >> 2 & 0x07) {
    case 0: target.host = "192.0.2.1"; break;
    case 1: target.host = "2001:db8::1"; break;
    case 2: target.host = "example.com"; break;
    case 3: target.host = std::string(255 + (flags >> 5 & 1), 'h'); break;
    default: target.host = in.Bytes(in.Byte()); break;
  }
  const uint8_t high = in.Byte();  // high byte first: named, so the reading order is fixed
  const uint8_t low = in.Byte();
  target.port = static_cast<uint16_t>(high << 8 | low);
  return out;
}

// The usual chunk for lead byte c (see the layout above).
inline std::string PlainChunk(Reader& in, uint8_t c) {
  return in.Bytes(c >= 0xC0 ? in.remaining() : c & 0x3F);
}

// The proxy's bytes: the rest of the input read as chunks, each by read_chunk(in, lead byte).
// Appends them to *stream and their sizes to *sizes.
template <typename ChunkReader>
void ReadChunks(Reader& in, ChunkReader read_chunk, std::string* stream,
                std::vector<size_t>* sizes) {
  while (in.remaining() > 0) {
    const uint8_t c = in.Byte();
    const std::string chunk = read_chunk(in, c);
    sizes->push_back(chunk.size());
    *stream += chunk;
  }
}

// Feeds `stream` in the given chunk sizes (sizes[i] == 0 feeds nothing), then EOF if still open.
inline Outcome Drive(const ErrorRules& rules, const ProxyCase& run, const std::string& stream,
                     const std::vector<size_t>& sizes) {
  Outcome out;
  ProxyError error;
  std::unique_ptr<core::proxy::Handshake> handshake = MakeHandshake(run.config, run.target, &error);
  if (!handshake) {
    CheckError(rules, error);
    out.verdict = Verdict::kFailed;
    out.error = error;
    return out;
  }
  out.written = handshake->TakeOutput();
  Check(!out.written.empty(), "no greeting");
  size_t at = 0;
  for (size_t i = 0; at < stream.size(); ++i) {
    const size_t n = i < sizes.size() ? sizes[i] : stream.size() - at;
    const size_t take = n < stream.size() - at ? n : stream.size() - at;
    const Verdict before = handshake->verdict();
    const Verdict v = handshake->Feed(reinterpret_cast<const uint8_t*>(stream.data() + at), take);
    at += take;
    Check(v == handshake->verdict(), "Feed result differs from verdict()");
    Check(before == Verdict::kContinue || v == before, "final verdict changed");
    out.written += handshake->TakeOutput();
    if (v != Verdict::kDone) Check(handshake->TakeLeftover().empty(), "leftover before kDone");
  }
  if (handshake->verdict() == Verdict::kContinue) {
    Check(handshake->OnEof() == Verdict::kFailed, "EOF did not fail");
    Check(handshake->error().code == "PROXY_PROTOCOL", "EOF code");
  } else {
    const Verdict final_verdict = handshake->verdict();
    Check(handshake->OnEof() == final_verdict, "EOF changed a final verdict");
  }
  out.verdict = handshake->verdict();
  out.leftover = handshake->TakeLeftover();
  if (out.verdict == Verdict::kFailed) {
    out.error = handshake->error();
    CheckError(rules, out.error);
    Check(handshake->TakeOutput().empty(), "output after failure");
    Check(out.leftover.empty(), "leftover after failure");
    Check(handshake->Feed(reinterpret_cast<const uint8_t*>("xy"), 2) == Verdict::kFailed,
          "Feed after failure");
  } else {
    Check(out.leftover.size() <= stream.size() &&
              stream.compare(stream.size() - out.leftover.size(), out.leftover.size(),
                             out.leftover) == 0,
          "leftover is not a suffix of the stream");
    Check(handshake->Feed(reinterpret_cast<const uint8_t*>("xy"), 2) == Verdict::kDone &&
              handshake->TakeLeftover() == "xy",
          "Feed after kDone lost bytes");
  }
  return out;
}

// Drives `stream` three times: in the input's chunks, all at once, and `step` bytes at a time.
// Checks that the three agree and returns the outcome of the chunked run.
inline Outcome DriveAllSplits(const ErrorRules& rules, const ProxyCase& run,
                              const std::string& stream, const std::vector<size_t>& sizes,
                              size_t step) {
  const Outcome chunked = Drive(rules, run, stream, sizes);
  const Outcome whole = Drive(rules, run, stream, {});
  const Outcome stepwise =
      Drive(rules, run, stream, std::vector<size_t>((stream.size() + step - 1) / step, step));
  for (const Outcome* other : {&whole, &stepwise}) {
    Check(other->verdict == chunked.verdict, "verdict depends on the split");
    Check(other->error.code == chunked.error.code, "error code depends on the split");
    Check(other->error.message == chunked.error.message, "message depends on the split");
    Check(other->leftover == chunked.leftover, "leftover depends on the split");
    if (chunked.verdict == Verdict::kDone) {
      Check(other->written == chunked.written, "written bytes depend on the split");
    }
  }
  return chunked;
}

}  // namespace native_ssh::fuzz

#endif  // NATIVE_SSH_FUZZ_PROXY_FUZZ_HARNESS_H_
