// libFuzzer target: the SOCKS4/SOCKS4a handshake against arbitrary proxy replies.
//
// Input layout: flags, [login length, login], [host length, host], port (2 bytes), then the proxy's
// bytes as chunks, each led by one byte c: c < 0xC0 takes the next c & 0x3F input bytes, c >= 0xC0
// takes all the rest. The same bytes are also fed all at once and one at a time: the three runs
// must agree. Invariants: the verdict never changes once final, a failure has a known code and a
// prefixed message that does not contain the password, the leftover exists only after kDone and is
// a suffix of the bytes fed, and the request never carries the password.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/proxy/handshake.h"

namespace {

using native_ssh::core::proxy::MakeHandshake;
using native_ssh::core::proxy::ProxyConfig;
using native_ssh::core::proxy::ProxyError;
using native_ssh::core::proxy::ProxyType;
using native_ssh::core::proxy::Target;
using native_ssh::core::proxy::Verdict;

constexpr std::string_view kPassword = "Fuzz-Pa55word-9731";
constexpr std::string_view kPrefix = "SOCKS4 error: ";

// A broken invariant is a crash: libFuzzer saves the input that caused it.
void Check(bool ok, const char* what) {
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

struct Outcome {
  Verdict verdict = Verdict::kContinue;
  ProxyError error;
  std::string written;
  std::string leftover;
};

bool IsKnownCode(const std::string& code) {
  return code == "PROXY_AUTH_FAILED" || code == "PROXY_REFUSED" || code == "PROXY_PROTOCOL" ||
         code == "PROXY_UNSUPPORTED";
}

void CheckError(const ProxyError& error) {
  Check(IsKnownCode(error.code), "unknown error code");
  Check(error.message.size() > kPrefix.size() &&
            error.message.compare(0, kPrefix.size(), kPrefix) == 0,
        "message without prefix");
  Check(error.message.find(kPassword) == std::string::npos, "password in message");
}

// Feeds `stream` in the given chunk sizes (sizes[i] == 0 feeds nothing), then EOF if still open.
Outcome Drive(const ProxyConfig& config, const Target& target, const std::string& stream,
              const std::vector<size_t>& sizes) {
  Outcome out;
  ProxyError error;
  std::unique_ptr<native_ssh::core::proxy::Handshake> handshake =
      MakeHandshake(config, target, &error);
  if (!handshake) {
    CheckError(error);
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
    CheckError(out.error);
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader in(data, size);
  const uint8_t flags = in.Byte();
  ProxyConfig config;
  config.type = ProxyType::kSocks4;
  if (flags & 0x01) {
    config.has_login = true;
    config.login = (flags & 0x40) ? std::string(256, 'u') : in.Bytes(in.Byte());
  }
  if (flags & 0x02) {
    config.has_password = true;
    config.password = (flags & 0x80) ? std::string(256, 'p') : std::string(kPassword);
  }
  Target target;
  switch (flags >> 2 & 0x07) {
    case 0:
      target.host = "192.0.2.1";
      break;
    case 1:
      target.host = "2001:db8::1";
      break;
    case 2:
      target.host = "example.com";
      break;
    case 3:
      target.host = std::string(255 + (flags >> 5 & 1), 'h');
      break;
    default:
      target.host = in.Bytes(in.Byte());
      break;
  }
  target.port = static_cast<uint16_t>(in.Byte() << 8 | in.Byte());

  std::string stream;
  std::vector<size_t> sizes;
  while (in.remaining() > 0) {
    const uint8_t c = in.Byte();
    const std::string chunk = in.Bytes(c >= 0xC0 ? in.remaining() : c & 0x3F);
    sizes.push_back(chunk.size());
    stream += chunk;
  }

  const Outcome chunked = Drive(config, target, stream, sizes);
  const Outcome whole = Drive(config, target, stream, {});
  const Outcome bytewise = Drive(config, target, stream, std::vector<size_t>(stream.size(), 1));
  for (const Outcome* other : {&whole, &bytewise}) {
    Check(other->verdict == chunked.verdict, "verdict depends on the split");
    Check(other->error.code == chunked.error.code, "error code depends on the split");
    Check(other->error.message == chunked.error.message, "message depends on the split");
    Check(other->leftover == chunked.leftover, "leftover depends on the split");
    if (chunked.verdict == Verdict::kDone) {
      Check(other->written == chunked.written, "written bytes depend on the split");
    }
  }
  if (chunked.verdict == Verdict::kDone) {
    // SOCKS4-specific: the reply is exactly 8 bytes; the request never carries the password.
    Check(stream.size() - chunked.leftover.size() == 8, "reply is not 8 bytes");
    Check(config.login.find(kPassword) != std::string::npos ||
              chunked.written.find(kPassword) == std::string::npos,
          "password sent");
  }
  return 0;
}
