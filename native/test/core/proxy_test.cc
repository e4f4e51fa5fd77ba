// Unit tests of the proxy handshakes (native/core/proxy): the bytes each one writes, its verdict
// on every kind of reply, the leftover it hands to SSH, and the error codes and texts.

#include <array>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "core/proxy/handshake.h"
#include "core/proxy/http_connect.h"
#include "core/util/base64.h"
#include "test_main.h"

namespace native_ssh::core::proxy {
namespace {

constexpr char kBanner[] = "SSH-2.0-OpenSSH_9.2\r\n";
constexpr char kSecret[] = "Pa55-SECRET-word";

// Bytes from a list of values 0..255.
std::string Bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out += static_cast<char>(v);
  return out;
}

ProxyConfig Config(ProxyType type, std::string login = "", std::string password = "") {
  ProxyConfig config;
  config.type = type;
  config.has_login = !login.empty();
  config.has_password = !password.empty();
  config.login = std::move(login);
  config.password = std::move(password);
  return config;
}

Target At(std::string host, uint16_t port = 22) { return Target{std::move(host), port}; }

// Everything observable about one run of a handshake.
struct Outcome {
  bool created = false;
  std::string written;  // all TakeOutput() results, concatenated
  Verdict verdict = Verdict::kContinue;
  std::string code;
  std::string message;
  std::string leftover;
};

// Runs a handshake against a scripted proxy: `reply` is everything the proxy sends, fed in chunks
// of `chunk` bytes (0 = all at once); with `eof` the proxy then closes the connection.
Outcome Run(const ProxyConfig& config, const Target& target, const std::string& reply,
            size_t chunk = 0, bool eof = false) {
  Outcome outcome;
  ProxyError error;
  std::unique_ptr<Handshake> handshake = MakeHandshake(config, target, &error);
  if (!handshake) {
    outcome.verdict = Verdict::kFailed;
    outcome.code = error.code;
    outcome.message = error.message;
    return outcome;
  }
  outcome.created = true;
  outcome.written = handshake->TakeOutput();
  const size_t step = chunk == 0 ? (reply.empty() ? 1 : reply.size()) : chunk;
  for (size_t at = 0; at < reply.size(); at += step) {
    const std::string piece = reply.substr(at, step);
    outcome.verdict = handshake->Feed(reinterpret_cast<const uint8_t*>(piece.data()), piece.size());
    outcome.written += handshake->TakeOutput();
  }
  if (eof) outcome.verdict = handshake->OnEof();
  EXPECT_EQ(handshake->verdict(), outcome.verdict);
  if (outcome.verdict == Verdict::kFailed) {
    outcome.code = handshake->error().code;
    outcome.message = handshake->error().message;
  }
  outcome.leftover = handshake->TakeLeftover();
  return outcome;
}

// Runs the script with several splits and checks that they all agree; returns the whole-feed run.
Outcome RunAllSplits(const ProxyConfig& config, const Target& target, const std::string& reply,
                     bool eof = false) {
  const Outcome whole = Run(config, target, reply, 0, eof);
  for (size_t chunk : {1u, 2u, 3u, 5u, 7u, 11u}) {
    const Outcome split = Run(config, target, reply, chunk, eof);
    // After a failure nothing more is written, so a request that a split run sent before the
    // failing byte arrived may be missing from the whole run: compare the bytes written only
    // when the handshake completed.
    if (whole.verdict != Verdict::kFailed) EXPECT_EQ(split.written, whole.written);
    EXPECT_EQ(split.verdict, whole.verdict);
    EXPECT_EQ(split.code, whole.code);
    EXPECT_EQ(split.message, whole.message);
    EXPECT_EQ(split.leftover, whole.leftover);
  }
  return whole;
}

// ---------------------------------------------------------------------------------------------
// Base64 and address helpers

TEST(Base64EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("Aladdin:open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");  // RFC 7617
  EXPECT_EQ(Base64Encode(Bytes({0xFF, 0xFE, 0x00})), "//4A");
  EXPECT_EQ(Base64Encode(Bytes({0xFB, 0xFF})), "+/8=");
}

TEST(Ipv4LiteralsAreStrictDottedQuads) {
  std::array<uint8_t, 4> ip{};
  EXPECT_TRUE(ParseIpv4Literal("192.0.2.1", &ip));
  EXPECT_TRUE(ip == (std::array<uint8_t, 4>{192, 0, 2, 1}));
  EXPECT_TRUE(ParseIpv4Literal("0.0.0.0", nullptr));
  EXPECT_TRUE(ParseIpv4Literal("255.255.255.255", nullptr));
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "1.2.3.4.",
                          ".1.2.3", "1.2.3.a", "1.2.3.4 ", "1234.1.1.1", "example.com", "::1"}) {
    if (!EXPECT_FALSE(ParseIpv4Literal(bad, nullptr))) std::fprintf(stderr, "    (%s)\n", bad);
  }
}

TEST(Ipv6LiteralsFollowRfc4291) {
  std::array<uint8_t, 16> ip{};
  EXPECT_TRUE(ParseIpv6Literal("::1", &ip));
  EXPECT_TRUE(ip == (std::array<uint8_t, 16>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_TRUE(ParseIpv6Literal("2001:DB8::ff:1", &ip));
  EXPECT_TRUE(ip == (std::array<uint8_t, 16>{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                             0xff, 0, 1}));
  EXPECT_TRUE(ParseIpv6Literal("::ffff:192.0.2.1", &ip));
  EXPECT_TRUE(ip ==
              (std::array<uint8_t, 16>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1}));
  for (const char* good : {"::", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
                           "1:2:3:4:5:6:1.2.3.4", "fe80::1:2"}) {
    if (!EXPECT_TRUE(ParseIpv6Literal(good, nullptr))) std::fprintf(stderr, "    (%s)\n", good);
  }
  for (const char* bad : {"", ":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
                          "12345::", "g::", ":1::", "1::2:", "[::1]", "fe80::1%eth0",
                          "1.2.3.4::", "::1.2.3", "1::2:3:4:5:6:7:8", "192.0.2.1"}) {
    if (!EXPECT_FALSE(ParseIpv6Literal(bad, nullptr))) std::fprintf(stderr, "    (%s)\n", bad);
  }
}

TEST(TargetHostsWithoutControlCharactersAreValid) {
  EXPECT_TRUE(IsValidTargetHost("example.com"));
  EXPECT_TRUE(IsValidTargetHost("192.0.2.1"));
  EXPECT_TRUE(IsValidTargetHost("2001:db8::1"));
  for (const char* bad : {"", "a b", "a\r\nb", "a\tb", "[::1]", "host:22", "a\x7f"}) {
    if (!EXPECT_FALSE(IsValidTargetHost(bad))) std::fprintf(stderr, "    (%s)\n", bad);
  }
  EXPECT_FALSE(IsValidTargetHost(std::string("a\0b", 3)));
}

// ---------------------------------------------------------------------------------------------
// SOCKS4 / SOCKS4a

TEST(Socks4RequestForIpv4Target) {
  const Outcome run = Run(Config(ProxyType::kSocks4), At("192.0.2.1", 22), "");
  ASSERT_TRUE(run.created);
  EXPECT_EQ(run.written, Bytes({0x04, 0x01, 0x00, 0x16, 192, 0, 2, 1, 0x00}));
}

TEST(Socks4SendsLoginAsUseridAndNeverThePassword) {
  const Outcome run = Run(Config(ProxyType::kSocks4, "alice", kSecret), At("10.1.2.3", 2222), "");
  EXPECT_EQ(run.written, Bytes({0x04, 0x01, 0x08, 0xAE, 10, 1, 2, 3}) + "alice" + Bytes({0}));
}

TEST(Socks4aRequestForName) {
  const Outcome run = Run(Config(ProxyType::kSocks4, "bob"), At("ssh.example.com", 22), "");
  EXPECT_EQ(run.written, Bytes({0x04, 0x01, 0x00, 0x16, 0, 0, 0, 1}) + "bob" + Bytes({0}) +
                             "ssh.example.com" + Bytes({0}));
}

TEST(Socks4RejectsIpv6Targets) {
  const Outcome run = Run(Config(ProxyType::kSocks4), At("2001:db8::1"), "");
  EXPECT_FALSE(run.created);
  EXPECT_EQ(run.code, "PROXY_UNSUPPORTED");
  EXPECT_EQ(run.message, "SOCKS4 error: SOCKS4 does not support IPv6");
}

TEST(Socks4RejectsImpossibleRequests) {
  EXPECT_EQ(Run(Config(ProxyType::kSocks4), At(""), "").message,
            "SOCKS4 error: invalid target host");
  EXPECT_EQ(Run(Config(ProxyType::kSocks4, std::string("a\0b", 3)), At("192.0.2.1"), "").message,
            "SOCKS4 error: invalid userid");
  EXPECT_EQ(Run(Config(ProxyType::kSocks4, std::string(256, 'u')), At("192.0.2.1"), "").message,
            "SOCKS4 error: invalid userid");
  EXPECT_EQ(Run(Config(ProxyType::kSocks4), At(std::string(256, 'h')), "").message,
            "SOCKS4 error: domain name too long");
  EXPECT_TRUE(Run(Config(ProxyType::kSocks4, std::string(255, 'u')), At("192.0.2.1"), "").created);
}

TEST(Socks4GrantedKeepsBytesAfterTheReply) {
  const std::string reply = Bytes({0x00, 0x5A, 0x00, 0x16, 192, 0, 2, 1}) + kBanner;
  const Outcome run = RunAllSplits(Config(ProxyType::kSocks4), At("192.0.2.1"), reply);
  EXPECT_EQ(run.verdict, Verdict::kDone);
  EXPECT_EQ(run.leftover, kBanner);
}

TEST(Socks4GrantedWithoutLeftover) {
  const Outcome run = RunAllSplits(Config(ProxyType::kSocks4), At("example.com"),
                                   Bytes({0x00, 0x5A, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(run.verdict, Verdict::kDone);
  EXPECT_EQ(run.leftover, "");
}

TEST(Socks4ReplyCodes) {
  struct Case {
    int code;
    const char* error_code;
    const char* message;
  };
  const Case cases[] = {
      {91, "PROXY_REFUSED", "SOCKS4 error: request rejected or failed"},
      {92, "PROXY_AUTH_FAILED",
       "SOCKS4 error: request rejected because SOCKS server cannot connect to identd on the "
       "client"},
      {93, "PROXY_AUTH_FAILED",
       "SOCKS4 error: request rejected because the client program and identd report different "
       "user-ids"},
      {0, "PROXY_PROTOCOL", "SOCKS4 error: invalid response code"},
      {89, "PROXY_PROTOCOL", "SOCKS4 error: invalid response code"},
      {0xFF, "PROXY_PROTOCOL", "SOCKS4 error: invalid response code"},
  };
  for (const Case& c : cases) {
    const Outcome run = RunAllSplits(Config(ProxyType::kSocks4), At("192.0.2.1"),
                                     Bytes({0x00, c.code, 0, 0, 0, 0, 0, 0}) + kBanner);
    EXPECT_EQ(run.verdict, Verdict::kFailed);
    EXPECT_EQ(run.code, c.error_code);
    EXPECT_EQ(run.message, c.message);
    EXPECT_EQ(run.leftover, "");
  }
}

TEST(Socks4RejectsWrongVersion) {
  const Outcome run = RunAllSplits(Config(ProxyType::kSocks4), At("192.0.2.1"),
                                   Bytes({0x04, 0x5A, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(run.code, "PROXY_PROTOCOL");
  EXPECT_EQ(run.message, "SOCKS4 error: invalid response version");
}

TEST(Socks4ShortRefusalBeforeEofStillGivesTheReason) {
  const Outcome run =
      RunAllSplits(Config(ProxyType::kSocks4), At("192.0.2.1"), Bytes({0x00, 91}), true);
  EXPECT_EQ(run.code, "PROXY_REFUSED");
  EXPECT_EQ(run.message, "SOCKS4 error: request rejected or failed");
}

TEST(Socks4TruncatedReplyThenEof) {
  const Outcome run =
      RunAllSplits(Config(ProxyType::kSocks4), At("192.0.2.1"), Bytes({0x00, 0x5A, 0, 0x16}), true);
  EXPECT_EQ(run.code, "PROXY_PROTOCOL");
  EXPECT_EQ(run.message, "SOCKS4 error: proxy closed the connection during the handshake");
  EXPECT_EQ(Run(Config(ProxyType::kSocks4), At("192.0.2.1"), "", 0, true).message,
            "SOCKS4 error: proxy closed the connection during the handshake");
}

// ---------------------------------------------------------------------------------------------
// SOCKS5

// A successful SOCKS5 CONNECT reply with an IPv4 bound address.
std::string S5Ok() { return Bytes({0x05, 0x00, 0x00, 0x01, 127, 0, 0, 1, 0x1F, 0x90}); }

TEST(Socks5GreetingWithoutCredentials) {
  EXPECT_EQ(Run(Config(ProxyType::kSocks5), At("192.0.2.1"), "").written, Bytes({5, 1, 0}));
  // OPI: credentials count only when both are set.
  EXPECT_EQ(Run(Config(ProxyType::kSocks5, "alice"), At("192.0.2.1"), "").written,
            Bytes({5, 1, 0}));
  EXPECT_EQ(Run(Config(ProxyType::kSocks5, "", kSecret), At("192.0.2.1"), "").written,
            Bytes({5, 1, 0}));
}

TEST(Socks5GreetingWithCredentials) {
  EXPECT_EQ(Run(Config(ProxyType::kSocks5, "alice", "s3cret"), At("192.0.2.1"), "").written,
            Bytes({5, 2, 2, 0}));
}

TEST(Socks5ConnectToIpv4) {
  const Outcome run = RunAllSplits(Config(ProxyType::kSocks5), At("192.0.2.1", 22),
                                   Bytes({5, 0}) + S5Ok() + kBanner);
  EXPECT_EQ(run.written, Bytes({5, 1, 0, 5, 1, 0, 1, 192, 0, 2, 1, 0, 22}));
  EXPECT_EQ(run.verdict, Verdict::kDone);
  EXPECT_EQ(run.leftover, kBanner);
}

TEST(Socks5ConnectToIpv6) {
  const Outcome run =
      RunAllSplits(Config(ProxyType::kSocks5), At("2001:db8::1", 2222), Bytes({5, 0}) + S5Ok());
  EXPECT_EQ(run.written, Bytes({5, 1, 0, 5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0,   0,
                                0, 0, 0, 0, 0, 0, 0, 0,    0,    1,    0x08, 0xAE}));
  EXPECT_EQ(run.verdict, Verdict::kDone);
  EXPECT_EQ(run.leftover, "");
}

TEST(Socks5ConnectToNameSendsItUnresolved) {
  const Outcome run =
      RunAllSplits(Config(ProxyType::kSocks5), At("example.com", 22), Bytes({5, 0}) + S5Ok());
  EXPECT_EQ(run.written, Bytes({5, 1, 0, 5, 1, 0, 3, 11}) + "example.com" + Bytes({0, 22}));
  EXPECT_EQ(run.verdict, Verdict::kDone);
}

TEST(Socks5NameLengthLimit) {
  EXPECT_TRUE(Run(Config(ProxyType::kSocks5), At(std::string(255, 'a')), "").created);
  const Outcome run = Run(Config(ProxyType::kSocks5), At(std::string(256, 'a')), "");
  EXPECT_FALSE(run.created);
  EXPECT_EQ(run.code, "PROXY_UNSUPPORTED");
  EXPECT_EQ(run.message, "SOCKS5 error: domain name too long");
}

TEST(Socks5RejectsInvalidTargetHosts) {
  for (const char* host : {"", "a b", "host:22", "[::1]", "fe80::1%eth0"}) {
    const Outcome run = Run(Config(ProxyType::kSocks5), At(host), "");
    EXPECT_FALSE(run.created);
    EXPECT_EQ(run.code, "PROXY_UNSUPPORTED");
    EXPECT_EQ(run.message, "SOCKS5 error: invalid target host");
  }
}

TEST(Socks5CredentialLengthLimits) {
  const Target target = At("192.0.2.1");
  EXPECT_EQ(Run(Config(ProxyType::kSocks5, std::string(256, 'u'), "p"), target, "").message,
            "SOCKS5 error: invalid username");
  EXPECT_EQ(Run(Config(ProxyType::kSocks5, "u", std::string(256, 'p')), target, "").message,
            "SOCKS5 error: invalid password");
  ProxyConfig empty_login = Config(ProxyType::kSocks5, "", "p");
  empty_login.has_login = true;
  EXPECT_EQ(Run(empty_login, target, "").message, "SOCKS5 error: invalid username");
  EXPECT_EQ(Run(empty_login, target, "").code, "PROXY_UNSUPPORTED");
  EXPECT_TRUE(
      Run(Config(ProxyType::kSocks5, std::string(255, 'u'), std::string(255, 'p')), target, "")
          .created);
}

TEST(Socks5PasswordSubnegotiation) {
  const Outcome run =
      RunAllSplits(Config(ProxyType::kSocks5, "alice", "s3cret"), At("192.0.2.1", 22),
                   Bytes({5, 2}) + Bytes({1, 0}) + S5Ok() + kBanner);
  EXPECT_EQ(run.written, Bytes({5, 2, 2, 0}) + Bytes({1, 5}) + "alice" + Bytes({6}) + "s3cret" +
                             Bytes({5, 1, 0, 1, 192, 0, 2, 1, 0, 22}));
  EXPECT_EQ(run.verdict, Verdict::kDone);
  EXPECT_EQ(run.leftover, kBanner);
}

TEST(Socks5PasswordRejected) {
  const Outcome run = RunAllSplits(Config(ProxyType::kSocks5, "alice", "s3cret"), At("192.0.2.1"),
                                   Bytes({5, 2, 1, 1}));
  EXPECT_EQ(run.verdict, Verdict::kFailed);
  EXPECT_EQ(run.code, "PROXY_AUTH_FAILED");
  EXPECT_EQ(run.message, "SOCKS5 error: password authentication failed");
  // Message by message, as a real proxy answers: the CONNECT request is never sent after a
  // failed authentication.
  EXPECT_EQ(
      Run(Config(ProxyType::kSocks5, "alice", "s3cret"), At("192.0.2.1"), Bytes({5, 2, 1, 1}), 2)
          .written,
      Bytes({5, 2, 2, 0, 1, 5}) + "alice" + Bytes({6}) + "s3cret");
}

TEST(Socks5PasswordReplyVersion) {
  const Outcome run = RunAllSplits(Config(ProxyType::kSocks5, "alice", "s3cret"), At("192.0.2.1"),
                                   Bytes({5, 2, 5, 0}));
  EXPECT_EQ(run.code, "PROXY_PROTOCOL");
  EXPECT_EQ(run.message, "SOCKS5 error: invalid response version");
}

TEST(Socks5ServerMayChooseNoAuthDespiteCredentials) {
  const Outcome run = RunAllSplits(Config(ProxyType::kSocks5, "alice", "s3cret"),
                                   At("192.0.2.1", 22), Bytes({5, 0}) + S5Ok());
  EXPECT_EQ(run.written, Bytes({5, 2, 2, 0, 5, 1, 0, 1, 192, 0, 2, 1, 0, 22}));
  EXPECT_EQ(run.verdict, Verdict::kDone);
}

TEST(Socks5MethodErrors) {
  Outcome run = RunAllSplits(Config(ProxyType::kSocks5), At("192.0.2.1"), Bytes({5, 0xFF}));
  EXPECT_EQ(run.code, "PROXY_AUTH_FAILED");
  EXPECT_EQ(run.message, "SOCKS5 error: no acceptable auth methods");
  // 02 was not offered (no credentials).
  run = RunAllSplits(Config(ProxyType::kSocks5), At("192.0.2.1"), Bytes({5, 2}));
  EXPECT_EQ(run.code, "PROXY_PROTOCOL");
  EXPECT_EQ(run.message, "SOCKS5 error: unknown auth method");
  run = RunAllSplits(Config(ProxyType::kSocks5, "a", "b"), At("192.0.2.1"), Bytes({5, 1}));
  EXPECT_EQ(run.message, "SOCKS5 error: unknown auth method");
  run = RunAllSplits(Config(ProxyType::kSocks5), At("192.0.2.1"), Bytes({4, 0}));
  EXPECT_EQ(run.code, "PROXY_PROTOCOL");
  EXPECT_EQ(run.message, "SOCKS5 error: invalid response version");
  // An HTTP proxy answering a SOCKS5 greeting.
  run = RunAllSplits(Config(ProxyType::kSocks5), At("192.0.2.1"), "HTTP/1.1 400 Bad Request\r\n");
  EXPECT_EQ(run.message, "SOCKS5 error: invalid response version");
}

TEST(Socks5ReplyCodes) {
  struct Case {
    int rep;
    const char* code;
    const char* message;
  };
  const Case cases[] = {
      {1, "PROXY_REFUSED", "SOCKS5 error: general SOCKS server failure"},
      {2, "PROXY_REFUSED", "SOCKS5 error: connection not allowed by ruleset"},
      {3, "PROXY_REFUSED", "SOCKS5 error: network unreachable"},
      {4, "PROXY_REFUSED", "SOCKS5 error: host unreachable"},
      {5, "PROXY_REFUSED", "SOCKS5 error: connection refused"},
      {6, "PROXY_REFUSED", "SOCKS5 error: TTL expired"},
      {7, "PROXY_UNSUPPORTED", "SOCKS5 error: command not supported"},
      {8, "PROXY_UNSUPPORTED", "SOCKS5 error: address kind not supported"},
      {9, "PROXY_PROTOCOL", "SOCKS5 error: unknown error"},
      {0xFF, "PROXY_PROTOCOL", "SOCKS5 error: unknown error"},
  };
  for (const Case& c : cases) {
    const Outcome run = RunAllSplits(Config(ProxyType::kSocks5), At("192.0.2.1"),
                                     Bytes({5, 0, 5, c.rep, 0, 1, 0, 0, 0, 0, 0, 0}) + kBanner);
    EXPECT_EQ(run.verdict, Verdict::kFailed);
    EXPECT_EQ(run.code, c.code);
    EXPECT_EQ(run.message, c.message);
    EXPECT_EQ(run.leftover, "");
  }
  // A refusal sent without the bound address, then EOF, still gives the reason.
  const Outcome run =
      RunAllSplits(Config(ProxyType::kSocks5), At("192.0.2.1"), Bytes({5, 0, 5, 5}), true);
  EXPECT_EQ(run.message, "SOCKS5 error: connection refused");
}

TEST(Socks5MalformedReplies) {
  const ProxyConfig config = Config(ProxyType::kSocks5);
  const Target target = At("192.0.2.1");
  Outcome run = RunAllSplits(config, target, Bytes({5, 0, 4, 0, 0, 1, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(run.code, "PROXY_PROTOCOL");
  EXPECT_EQ(run.message, "SOCKS5 error: invalid response version");
  run = RunAllSplits(config, target, Bytes({5, 0, 5, 0, 1, 1, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(run.code, "PROXY_PROTOCOL");
  EXPECT_EQ(run.message, "SOCKS5 error: invalid reserved byte");
  for (int atyp : {0, 2, 5, 0xFF}) {
    run = RunAllSplits(config, target, Bytes({5, 0, 5, 0, 0, atyp, 0, 0, 0, 0, 0, 0}));
    EXPECT_EQ(run.code, "PROXY_PROTOCOL");
    EXPECT_EQ(run.message, "SOCKS5 error: unsupported address type");
  }
}

TEST(Socks5BoundAddressOfEveryTypeIsSkipped) {
  const ProxyConfig config = Config(ProxyType::kSocks5);
  const Target target = At("example.com");
  const std::string bound_name = Bytes({5, 0, 0, 3, 9}) + "proxy.lan" + Bytes({0x1F, 0x90});
  Outcome run = RunAllSplits(config, target, Bytes({5, 0}) + bound_name + kBanner);
  EXPECT_EQ(run.verdict, Verdict::kDone);
  EXPECT_EQ(run.leftover, kBanner);
  const std::string bound_empty_name = Bytes({5, 0, 0, 3, 0, 0x1F, 0x90});
  run = RunAllSplits(config, target, Bytes({5, 0}) + bound_empty_name + kBanner);
  EXPECT_EQ(run.verdict, Verdict::kDone);
  EXPECT_EQ(run.leftover, kBanner);
  const std::string bound_v6 =
      Bytes({5, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x1F, 0x90});
  run = RunAllSplits(config, target, Bytes({5, 0}) + bound_v6 + kBanner);
  EXPECT_EQ(run.verdict, Verdict::kDone);
  EXPECT_EQ(run.leftover, kBanner);
  // Cut inside the bound address, then EOF.
  run = RunAllSplits(config, target, Bytes({5, 0}) + bound_v6.substr(0, 12), true);
  EXPECT_EQ(run.code, "PROXY_PROTOCOL");
  EXPECT_EQ(run.message, "SOCKS5 error: proxy closed the connection during the handshake");
}

TEST(Socks5EofAtEveryStage) {
  const char* closed = "SOCKS5 error: proxy closed the connection during the handshake";
  const ProxyConfig config = Config(ProxyType::kSocks5, "alice", "s3cret");
  const std::string full = Bytes({5, 2, 1, 0}) + S5Ok();
  for (size_t cut = 0; cut < full.size(); ++cut) {
    const Outcome run = RunAllSplits(config, At("192.0.2.1"), full.substr(0, cut), true);
    EXPECT_EQ(run.verdict, Verdict::kFailed);
    EXPECT_EQ(run.message, closed);
  }
  EXPECT_EQ(RunAllSplits(config, At("192.0.2.1"), full, true).verdict, Verdict::kDone);
}

// ---------------------------------------------------------------------------------------------
// HTTP CONNECT

std::string Http200() { return "HTTP/1.1 200 Connection established\r\n\r\n"; }

TEST(HttpRequestWithoutCredentials) {
  const Outcome run = Run(Config(ProxyType::kHttp), At("ssh.example.com", 22), "");
  EXPECT_EQ(run.written,
            "CONNECT ssh.example.com:22 HTTP/1.1\r\n"
            "Host: ssh.example.com:22\r\n"
            "User-Agent: native-ssh\r\n"
            "\r\n");
}

TEST(HttpRequestWithBasicCredentials) {
  const Outcome run =
      Run(Config(ProxyType::kHttp, "Aladdin", "open sesame"), At("192.0.2.1", 2222), "");
  EXPECT_EQ(run.written,
            "CONNECT 192.0.2.1:2222 HTTP/1.1\r\n"
            "Host: 192.0.2.1:2222\r\n"
            "User-Agent: native-ssh\r\n"
            "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n"
            "\r\n");
  // Only one of the two: no Proxy-Authorization at all.
  EXPECT_EQ(Run(Config(ProxyType::kHttp, "Aladdin"), At("192.0.2.1", 22), "")
                .written.find("Proxy-Authorization"),
            std::string::npos);
  EXPECT_EQ(Run(Config(ProxyType::kHttp, "", "open sesame"), At("192.0.2.1", 22), "")
                .written.find("Proxy-Authorization"),
            std::string::npos);
}

TEST(HttpBracketsIpv6Targets) {
  const Outcome run = Run(Config(ProxyType::kHttp), At("::1", 22), "");
  EXPECT_EQ(run.written,
            "CONNECT [::1]:22 HTTP/1.1\r\n"
            "Host: [::1]:22\r\n"
            "User-Agent: native-ssh\r\n"
            "\r\n");
}

TEST(HttpRejectsImpossibleRequests) {
  Outcome run = Run(Config(ProxyType::kHttp), At("example.com\r\nX-Injected: 1"), "");
  EXPECT_FALSE(run.created);
  EXPECT_EQ(run.code, "PROXY_UNSUPPORTED");
  EXPECT_EQ(run.message, "Proxy error: invalid target host");
  run = Run(Config(ProxyType::kHttp), At("[::1]"), "");
  EXPECT_EQ(run.message, "Proxy error: invalid target host");
  run = Run(Config(ProxyType::kHttp, "user:name", kSecret), At("192.0.2.1"), "");
  EXPECT_FALSE(run.created);
  EXPECT_EQ(run.code, "PROXY_UNSUPPORTED");
  EXPECT_EQ(run.message, "Proxy error: login must not contain ':' for HTTP Basic authentication");
}

TEST(Http200WithBannerInTheSameSegment) {
  // OPI's weakness (behaviour doc §5.2 item 10): the banner arriving with the 200 was lost.
  const std::string head = "HTTP/1.1 200 Connection established\r\nProxy-Agent: test\r\n";
  for (bool split : {false, true}) {
    ProxyError error;
    auto handshake = MakeHandshake(Config(ProxyType::kHttp), At("192.0.2.1"), &error);
    ASSERT_TRUE(handshake != nullptr);
    EXPECT_FALSE(handshake->TakeOutput().empty());
    std::string last = std::string("\r\n") + kBanner;
    if (split) {
      EXPECT_EQ(handshake->Feed(reinterpret_cast<const uint8_t*>(head.data()), head.size()),
                Verdict::kContinue);
    } else {
      last = head + last;
    }
    EXPECT_EQ(handshake->Feed(reinterpret_cast<const uint8_t*>(last.data()), last.size()),
              Verdict::kDone);
    EXPECT_EQ(handshake->TakeLeftover(), kBanner);
    EXPECT_EQ(handshake->TakeOutput(), "");
  }
  const Outcome run =
      RunAllSplits(Config(ProxyType::kHttp), At("192.0.2.1"), head + "\r\n" + kBanner);
  EXPECT_EQ(run.verdict, Verdict::kDone);
  EXPECT_EQ(run.leftover, kBanner);
}

TEST(HttpAnySuccessStatusOpensTheTunnel) {
  for (const char* reply :
       {"HTTP/1.1 200 Connection established\r\n\r\n", "HTTP/1.0 200 OK\r\n\r\n",
        "HTTP/1.1 204 No Content\r\n\r\n", "HTTP/1.1 299\r\n\r\n",
        "HTTP/1.1 200 \r\nVia: 1.1 proxy\r\nX: y\r\n\r\n"}) {
    const Outcome run =
        RunAllSplits(Config(ProxyType::kHttp), At("192.0.2.1"), std::string(reply) + kBanner);
    EXPECT_EQ(run.verdict, Verdict::kDone);
    EXPECT_EQ(run.leftover, kBanner);
  }
}

TEST(HttpIgnoresContentLengthOfA2xx) {
  // RFC 9110 §9.3.6: a client MUST ignore Content-Length in a successful CONNECT reply.
  const Outcome run =
      RunAllSplits(Config(ProxyType::kHttp), At("192.0.2.1"),
                   std::string("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n") + kBanner);
  EXPECT_EQ(run.verdict, Verdict::kDone);
  EXPECT_EQ(run.leftover, kBanner);
}

TEST(HttpSkipsInterimResponses) {
  const Outcome run = RunAllSplits(
      Config(ProxyType::kHttp), At("192.0.2.1"),
      std::string("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nX: 1\r\n\r\n") +
          Http200() + kBanner);
  EXPECT_EQ(run.verdict, Verdict::kDone);
  EXPECT_EQ(run.leftover, kBanner);
  const Outcome switching =
      RunAllSplits(Config(ProxyType::kHttp), At("192.0.2.1"), "HTTP/1.1 101 Switching\r\n\r\n");
  EXPECT_EQ(switching.code, "PROXY_PROTOCOL");
  EXPECT_EQ(switching.message, "Proxy error: HTTP 101");
}

TEST(Http407) {
  const Outcome run = RunAllSplits(
      Config(ProxyType::kHttp, "alice", kSecret), At("192.0.2.1"),
      "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\n"
      "Content-Length: 0\r\n\r\n");
  EXPECT_EQ(run.verdict, Verdict::kFailed);
  EXPECT_EQ(run.code, "PROXY_AUTH_FAILED");
  EXPECT_EQ(run.message, "Proxy authentication required (HTTP 407)");
}

TEST(HttpErrorStatuses) {
  for (int status : {300, 400, 403, 404, 500, 502, 503, 599}) {
    const std::string code = std::to_string(status);
    const Outcome run = RunAllSplits(Config(ProxyType::kHttp), At("192.0.2.1"),
                                     "HTTP/1.1 " + code + " Whatever\r\nX: y\r\n\r\nbody");
    EXPECT_EQ(run.verdict, Verdict::kFailed);
    EXPECT_EQ(run.code, "PROXY_REFUSED");
    EXPECT_EQ(run.message, "Proxy error: HTTP " + code);
  }
  // The verdict is taken at the end of the status line: the proxy may close right after it.
  const Outcome run =
      RunAllSplits(Config(ProxyType::kHttp), At("192.0.2.1"), "HTTP/1.1 403 Forbidden\r\n", true);
  EXPECT_EQ(run.message, "Proxy error: HTTP 403");
}

TEST(Http401IsAnAuthFailure) {
  // tinyproxy 1.11 answers a wrong Proxy-Authorization with 401 rather than 407.
  const Outcome run =
      RunAllSplits(Config(ProxyType::kHttp), At("192.0.2.1"), "HTTP/1.1 401 Unauthorized\r\n\r\n");
  EXPECT_EQ(run.verdict, Verdict::kFailed);
  EXPECT_EQ(run.code, "PROXY_AUTH_FAILED");
  EXPECT_EQ(run.message, "Proxy error: HTTP 401 (proxy authentication failed)");
}

TEST(HttpMalformedStatusLines) {
  for (const char* line :
       {"HTTP/2 200 OK", "HTTP/1.1 20 OK", "HTTP/1.1  200 OK", "HTTP/1.1 200OK", "http/1.1 200 OK",
        "HTTP/1.x 200 OK", "HTTP/1.1 099 Low", "HTTP/1.1 600 High", "HTTP/1.1 2000", "HTTP/1.1",
        "SSH-2.0-OpenSSH_9.2", "HTTP/1.1 200 O\x01K", "HTTP/1.1 200 OK\n", "", "HTTP/11 200 OK"}) {
    const Outcome run =
        RunAllSplits(Config(ProxyType::kHttp), At("192.0.2.1"), std::string(line) + "\r\n\r\n");
    EXPECT_EQ(run.code, "PROXY_PROTOCOL");
    if (!EXPECT_EQ(run.message, "Proxy error: malformed status line")) {
      std::fprintf(stderr, "    (%s)\n", line);
    }
  }
  int status = 0;
  EXPECT_TRUE(HttpConnectHandshake::ParseStatusLine("HTTP/1.1 200", &status));
  EXPECT_EQ(status, 200);
  EXPECT_TRUE(HttpConnectHandshake::ParseStatusLine("HTTP/1.0 407 Auth\tneeded \x80", &status));
  EXPECT_EQ(status, 407);
}

TEST(HttpHeaderLimit) {
  const size_t limit = HttpConnectHandshake::kMaxHeaderBytes;
  const std::string status = "HTTP/1.1 200 OK\r\n";
  const std::string field = "X-Pad: ";
  // A header block of exactly the limit (CRLFCRLF included) passes; one byte more fails.
  const std::string exact =
      status + field + std::string(limit - status.size() - field.size() - 4, 'a') + "\r\n\r\n";
  ASSERT_EQ(exact.size(), limit);
  Outcome run = RunAllSplits(Config(ProxyType::kHttp), At("192.0.2.1"), exact + kBanner);
  EXPECT_EQ(run.verdict, Verdict::kDone);
  EXPECT_EQ(run.leftover, kBanner);
  const std::string over =
      status + field + std::string(limit - status.size() - field.size() - 3, 'a') + "\r\n\r\n";
  run = RunAllSplits(Config(ProxyType::kHttp), At("192.0.2.1"), over + kBanner);
  EXPECT_EQ(run.verdict, Verdict::kFailed);
  EXPECT_EQ(run.code, "PROXY_PROTOCOL");
  EXPECT_EQ(run.message, "Proxy error: response headers too large");
  // Endless headers, and an endless status line.
  run = RunAllSplits(Config(ProxyType::kHttp), At("192.0.2.1"), status + std::string(20000, 'b'));
  EXPECT_EQ(run.message, "Proxy error: response headers too large");
  run = RunAllSplits(Config(ProxyType::kHttp), At("192.0.2.1"),
                     "HTTP/1.1 200 " + std::string(20000, 'b') + "\r\n\r\n");
  EXPECT_EQ(run.message, "Proxy error: response headers too large");
  // Interim responses count against the same limit.
  const std::string interim =
      "HTTP/1.1 100 Continue\r\nX: " + std::string(limit / 2, 'c') + "\r\n\r\n";
  run = RunAllSplits(Config(ProxyType::kHttp), At("192.0.2.1"), interim + interim + Http200());
  EXPECT_EQ(run.message, "Proxy error: response headers too large");
}

TEST(HttpEofBeforeTheEndOfTheHeaders) {
  const char* closed = "Proxy error: proxy closed the connection during the handshake";
  for (const std::string& reply :
       {std::string(), std::string("HTTP/1.1 200 OK"), std::string("HTTP/1.1 200 OK\r\nVia: x\r\n"),
        std::string("HTTP/1.1 200 OK\r\n\r")}) {
    const Outcome run = RunAllSplits(Config(ProxyType::kHttp), At("192.0.2.1"), reply, true);
    EXPECT_EQ(run.code, "PROXY_PROTOCOL");
    EXPECT_EQ(run.message, closed);
  }
}

// ---------------------------------------------------------------------------------------------
// Common contract

TEST(VerdictIsFinalAndFeedAfterDoneGoesToLeftover) {
  for (ProxyType type : {ProxyType::kSocks4, ProxyType::kSocks5, ProxyType::kHttp}) {
    ProxyError error;
    auto handshake = MakeHandshake(Config(type), At("192.0.2.1"), &error);
    ASSERT_TRUE(handshake != nullptr);
    EXPECT_EQ(handshake->verdict(), Verdict::kContinue);
    EXPECT_FALSE(handshake->TakeOutput().empty());
    EXPECT_EQ(handshake->TakeOutput(), "");
    EXPECT_EQ(handshake->TakeLeftover(), "");
    std::string reply = type == ProxyType::kSocks4   ? Bytes({0, 0x5A, 0, 0, 0, 0, 0, 0})
                        : type == ProxyType::kSocks5 ? Bytes({5, 0}) + S5Ok()
                                                     : Http200();
    reply += "SSH-";
    EXPECT_EQ(handshake->Feed(reinterpret_cast<const uint8_t*>(reply.data()), reply.size()),
              Verdict::kDone);
    handshake->TakeOutput();
    EXPECT_EQ(handshake->Feed(reinterpret_cast<const uint8_t*>("2.0"), 3), Verdict::kDone);
    EXPECT_EQ(handshake->Feed(nullptr, 0), Verdict::kDone);
    EXPECT_EQ(handshake->TakeLeftover(), "SSH-2.0");
    EXPECT_EQ(handshake->Feed(reinterpret_cast<const uint8_t*>("-x"), 2), Verdict::kDone);
    EXPECT_EQ(handshake->OnEof(), Verdict::kDone);
    EXPECT_EQ(handshake->TakeLeftover(), "-x");
    EXPECT_EQ(handshake->TakeOutput(), "");
  }
}

TEST(VerdictIsFinalAfterFailure) {
  for (ProxyType type : {ProxyType::kSocks4, ProxyType::kSocks5, ProxyType::kHttp}) {
    ProxyError error;
    auto handshake = MakeHandshake(Config(type), At("192.0.2.1"), &error);
    ASSERT_TRUE(handshake != nullptr);
    handshake->TakeOutput();
    const std::string junk = "\x07garbage\r\n\r\n";
    EXPECT_EQ(handshake->Feed(reinterpret_cast<const uint8_t*>(junk.data()), junk.size()),
              Verdict::kFailed);
    const std::string message = handshake->error().message;
    EXPECT_FALSE(message.empty());
    const std::string ok = Http200();
    EXPECT_EQ(handshake->Feed(reinterpret_cast<const uint8_t*>(ok.data()), ok.size()),
              Verdict::kFailed);
    EXPECT_EQ(handshake->OnEof(), Verdict::kFailed);
    EXPECT_EQ(handshake->error().message, message);
    EXPECT_EQ(handshake->TakeOutput(), "");
    EXPECT_EQ(handshake->TakeLeftover(), "");
  }
}

TEST(UnknownProxyTypeIsRejected) {
  ProxyError error;
  EXPECT_TRUE(MakeHandshake(Config(static_cast<ProxyType>(42)), At("192.0.2.1"), &error) ==
              nullptr);
  EXPECT_EQ(error.code, "PROXY_UNSUPPORTED");
  EXPECT_EQ(error.message, "Unsupported proxy type");
}

TEST(PasswordAppearsInNoErrorMessage) {
  const std::string login = "alice-LOGIN";
  const std::string token = Base64Encode(login + ":" + kSecret);
  std::vector<Outcome> runs;
  const Target v4 = At("192.0.2.1");
  // Every failure path of every protocol, with both credentials set.
  for (ProxyType type : {ProxyType::kSocks4, ProxyType::kSocks5, ProxyType::kHttp}) {
    const ProxyConfig config = Config(type, login, kSecret);
    runs.push_back(Run(config, v4, "", 0, true));
    runs.push_back(Run(config, At(""), ""));
    runs.push_back(Run(config, At(std::string(300, 'n')), "", 0, true));
    runs.push_back(Run(config, At("::1"), "", 0, true));
    runs.push_back(Run(config, v4, std::string(20000, 'z')));
    runs.push_back(Run(config, v4, std::string(kSecret), 0, true));
    runs.push_back(Run(config, v4, token, 0, true));
  }
  for (int code : {91, 92, 93, 94}) {
    runs.push_back(
        Run(Config(ProxyType::kSocks4, login, kSecret), v4, Bytes({0, code, 0, 0, 0, 0, 0, 0})));
  }
  const ProxyConfig s5 = Config(ProxyType::kSocks5, login, kSecret);
  for (const std::string& reply :
       {Bytes({5, 0xFF}), Bytes({5, 1}), Bytes({5, 2, 1, 1}), Bytes({5, 2, 2, 0}),
        Bytes({5, 2, 1, 0, 5, 5}), Bytes({5, 2, 1, 0, 5, 0, 1}), Bytes({5, 2, 1, 0, 5, 0, 0, 9})}) {
    runs.push_back(Run(s5, v4, reply));
  }
  runs.push_back(Run(Config(ProxyType::kSocks5, login, std::string(256, 'p')), v4, ""));
  runs.push_back(Run(Config(ProxyType::kSocks5, std::string(256, 'u'), kSecret), v4, ""));
  runs.push_back(Run(Config(ProxyType::kHttp, "a:b", kSecret), v4, ""));
  const ProxyConfig http = Config(ProxyType::kHttp, login, kSecret);
  for (const char* reply : {"HTTP/1.1 407 x\r\n\r\n", "HTTP/1.1 403 x\r\n\r\n",
                            "HTTP/1.1 101 x\r\n\r\n", "Pa55-SECRET-word\r\n\r\n"}) {
    runs.push_back(Run(http, v4, reply));
  }
  for (const Outcome& run : runs) {
    EXPECT_EQ(run.verdict, Verdict::kFailed);
    EXPECT_FALSE(run.message.empty());
    EXPECT_EQ(run.message.find(kSecret), std::string::npos);
    EXPECT_EQ(run.message.find(token), std::string::npos);
    EXPECT_EQ(run.message.find(login), std::string::npos);
  }
}

}  // namespace
}  // namespace native_ssh::core::proxy
