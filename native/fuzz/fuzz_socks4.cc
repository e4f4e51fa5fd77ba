// libFuzzer target: the SOCKS4/SOCKS4a handshake against arbitrary proxy replies.
//
// Input layout, runs and shared invariants: proxy_fuzz_harness.h (the stream is also fed all at
// once and one byte at a time). SOCKS4 adds: messages start with "SOCKS4 error: ", the reply is
// exactly 8 bytes, and the request never carries the password.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "proxy_fuzz_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace native_ssh::fuzz;
  Reader in(data, size);
  const ProxyCase run = ReadCase(in, ProxyType::kSocks4);
  std::string stream;
  std::vector<size_t> sizes;
  ReadChunks(in, PlainChunk, &stream, &sizes);

  const ErrorRules rules{"SOCKS4 error: ", {}, {}};
  const Outcome chunked = DriveAllSplits(rules, run, stream, sizes, 1);
  if (chunked.verdict == Verdict::kDone) {
    Check(stream.size() - chunked.leftover.size() == 8, "reply is not 8 bytes");
    Check(run.config.login.find(kPassword) != std::string::npos ||
              chunked.written.find(kPassword) == std::string::npos,
          "password sent");
  }
  return 0;
}
