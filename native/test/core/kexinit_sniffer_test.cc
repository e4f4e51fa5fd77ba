// Unit tests of KexinitSniffer: the server's KEXINIT read from raw bytes in any split.
#include "core/kexinit_sniffer.h"

#include <algorithm>
#include <string>

#include "test_main.h"

using native_ssh::core::DescribeNegotiationFailure;
using native_ssh::core::KexinitSniffer;

namespace {

std::string U32(uint32_t v) {
  return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string NameList(const std::string& s) { return U32(static_cast<uint32_t>(s.size())) + s; }

// Banner, then one binary packet carrying a KEXINIT with the given lists.
std::string ServerBytes(const std::string lists[8]) {
  std::string payload(1, '\x14');
  payload += std::string(16, 'c');
  for (int i = 0; i < 8; ++i) payload += NameList(lists[i]);
  payload += NameList("") + NameList("") + std::string(1, '\0') + U32(0);
  const std::string padding(4, '\0');
  std::string packet = U32(static_cast<uint32_t>(1 + payload.size() + padding.size()));
  packet += static_cast<char>(padding.size());
  packet += payload + padding;
  return "a greeting line\r\nSSH-2.0-Test_1.0\r\n" + packet;
}

const std::string kServer[8] = {"sntrup761x25519-sha512@openssh.com",
                                "ssh-ed25519",
                                "aes128-ctr",
                                "aes128-ctr",
                                "hmac-sha2-256",
                                "hmac-sha2-256",
                                "none",
                                "none"};

}  // namespace

TEST(ParsesAllAtOnceAndByteByByte) {
  const std::string bytes = ServerBytes(kServer);
  KexinitSniffer whole;
  whole.Feed(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  ASSERT_TRUE(whole.done());
  EXPECT_EQ(whole.list(KexinitSniffer::kKex), kServer[0]);
  EXPECT_EQ(whole.list(KexinitSniffer::kMacSc), kServer[5]);
  KexinitSniffer split;
  for (char c : bytes) split.Feed(reinterpret_cast<const uint8_t*>(&c), 1);
  ASSERT_TRUE(split.done());
  for (int i = 0; i < KexinitSniffer::kListCount; ++i) {
    EXPECT_EQ(split.list(static_cast<KexinitSniffer::List>(i)), kServer[i]);
  }
}

TEST(DescribesTheFirstCategoryWithNothingInCommon) {
  const std::string bytes = ServerBytes(kServer);
  KexinitSniffer sniffer;
  sniffer.Feed(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  const std::string ours[8] = {"curve25519-sha256,ecdh-sha2-nistp256",
                               "ssh-ed25519",
                               "aes128-ctr",
                               "aes128-ctr",
                               "hmac-sha2-256",
                               "hmac-sha2-256",
                               "none",
                               "none"};
  EXPECT_EQ(DescribeNegotiationFailure(ours, sniffer),
            "no common key exchange: we offer curve25519-sha256,ecdh-sha2-nistp256; the server "
            "offers sntrup761x25519-sha512@openssh.com");
  const std::string agreeing[8] = {kServer[0], kServer[1], kServer[2], kServer[3],
                                   kServer[4], kServer[5], kServer[6], kServer[7]};
  EXPECT_EQ(DescribeNegotiationFailure(agreeing, sniffer), "");
}

TEST(GarbageAndTruncationNeverFinish) {
  for (const std::string& bytes :
       {std::string("SSH-2.0-x\r\n\xff\xff\xff\xff\x04"), std::string("no banner at all"),
        ServerBytes(kServer).substr(0, 60)}) {
    KexinitSniffer sniffer;
    sniffer.Feed(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    EXPECT_FALSE(sniffer.done());
    const std::string ours[8] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    EXPECT_EQ(DescribeNegotiationFailure(ours, sniffer), "");
  }
}

TEST(ManyLinesBeforeTheBannerInAnySplit) {
  // Servers may send lines before their identification string; libssh2 hands them over one byte
  // at a time. 20,000 CR/LF lines then the KEXINIT: found byte by byte and in odd chunks.
  const std::string bytes = std::string(40000, '\n') + ServerBytes(kServer);
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}}) {
    KexinitSniffer sniffer;
    for (size_t at = 0; at < bytes.size(); at += chunk) {
      const size_t n = std::min(chunk, bytes.size() - at);
      sniffer.Feed(reinterpret_cast<const uint8_t*>(bytes.data() + at), n);
    }
    ASSERT_TRUE(sniffer.done());
    EXPECT_EQ(sniffer.list(KexinitSniffer::kCipherCs), kServer[2]);
  }
  // Past 64 KiB without a KEXINIT it gives up (and keeps nothing).
  const std::string flood = std::string(70000, '\n') + ServerBytes(kServer);
  KexinitSniffer sniffer;
  for (char c : flood) sniffer.Feed(reinterpret_cast<const uint8_t*>(&c), 1);
  EXPECT_FALSE(sniffer.done());
}
