// libFuzzer target: the SOCKS5 handshake (RFC 1928, RFC 1929) against arbitrary proxy replies.
//
// Input layout, runs and shared invariants: proxy_fuzz_harness.h (the stream is also fed all at
// once and one byte at a time). SOCKS5 adds: messages start with "SOCKS5 error: ", and kDone
// comes only after 9 bytes at least.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "proxy_fuzz_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace native_ssh::fuzz;
  Reader in(data, size);
  const ProxyCase run = ReadCase(in, ProxyType::kSocks5);
  std::string stream;
  std::vector<size_t> sizes;
  ReadChunks(in, PlainChunk, &stream, &sizes);

  const ErrorRules rules{"SOCKS5 error: ", {}, {}};
  const Outcome chunked = DriveAllSplits(rules, run, stream, sizes, 1);
  if (chunked.verdict == Verdict::kDone) {
    // The method reply (2 bytes) and the shortest CONNECT reply (7 bytes, an empty name) were
    // consumed at least.
    Check(stream.size() - chunked.leftover.size() >= 9, "done too early");
  }
  return 0;
}
