// Unit tests of the known_hosts parser and matcher (native/core/known_hosts): every format rule of
// sshd(8) SSH_KNOWN_HOSTS FILE FORMAT that we support, the verdicts, the notes, the lines written
// for accept-new, base64 and SHA-256 fingerprints.
//
// The keys and the hashed lines below were made with OpenSSH 9.2 (ssh-keygen -t ..., ssh-keygen -H
// on a file holding "server.example.com <ed25519>" and "[10.0.0.5]:2222 <ecdsa>"); the expected
// fingerprints are what ssh-keygen -l -E sha256 printed for them.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/known_hosts.h"
#include "test_main.h"

namespace native_ssh::core {
namespace {

constexpr char kEd25519[] =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMoJ299H5HWUCuRsNkv3cCxEkjFmBHVHYb4GAMYPQFwC";
constexpr char kEd25519Fingerprint[] = "SHA256:dmqTDKnMFhAlV9ApK9KW2nXjnsbFmdrp61vRs5ps8qM";
constexpr char kEd25519B[] =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPYLz5RzSbaDDB4uYTlQWWj5obAAEjYPpEcsrKauaeEQ";
constexpr char kEd25519BFingerprint[] = "SHA256:nG2WN9PxUiuUhyleteT8tnjgUTjA2BIRLDWJTz/o+4Y";
constexpr char kEcdsa[] =
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPOuyJkiSsFSakl5kGpuji"
    "vpdLAImSc++uv/W6N2ob/TP4GccxniS/scrzjB5vGqyUmqDeM4B/IIiL2B1V50X4Q=";
constexpr char kEcdsaFingerprint[] = "SHA256:DEBn83T8U1lt8ksqMHVG3P0rjnbh16aD7gCvFXUXC38";
constexpr char kRsa[] =
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDIqOXLa8kZIXM7FWFo243GkFlEzwespCV7JTxJj+P3CeQ4khCr2n3P"
    "0AQku1fysvdHMVDuIK/M5irfetijDpjH1ZLtkAMgqKyFUZRllzZBxl4cW1sxZhCiA/VsEJq8LXzswQ2KzsBrlC2S5XG7"
    "hr6mbJ891vYVeJ3twTDYyS5sfC1R2Bq4YcOXxp9ys3kIZp8GC3HQ0gohzP3XLKm9lKrYsSz6hA2dWlPKuRgeTFgN1UXw"
    "ar6Q8KC05Cxeaag9o4LYispTH8w00EzRq51OCjBM7a08nqBr5m1BH2ey2VujR4SF2JKcevDcBfQQztbaXXX2ocWO3zxL"
    "5aH1/eijlPnj";
constexpr char kRsaFingerprint[] = "SHA256:RBFvzIjLpDeXpzvhpwDy7E/2ZSvCgaemAGRy0hrXaiA";

// ssh-keygen -H output: server.example.com (port 22) with kEd25519, [10.0.0.5]:2222 with kEcdsa.
constexpr char kHashedServer[] = "|1|+K3OLgepGZmFVUgqnaOTjX/8ubM=|X1LVRggpBMwKkQZ2ptvSiBADXJE=";
constexpr char kHashedPorted[] = "|1|0/AZCQX1bzSf+iRGxsOGHo7SWCw=|9IObphVozlVnvT6QVh/fij8eqY0=";

// "type base64" as in a .pub file -> the HostKey a server would present.
HostKey Key(std::string_view line) {
  const size_t space = line.find(' ');
  HostKey key;
  key.type = std::string(line.substr(0, space));
  key.blob = Base64Decode(line.substr(space + 1)).value_or("");
  return key;
}

KnownHostsResult CheckIn(std::string_view file, std::string_view host, uint16_t port,
                         std::string_view key) {
  KnownHosts known_hosts;
  known_hosts.Parse(file);
  return known_hosts.Check(host, port, Key(key));
}

HostKeyMatch MatchIn(std::string_view file, std::string_view host, uint16_t port,
                     std::string_view key) {
  return CheckIn(file, host, port, key).match;
}

std::string Line(std::string_view hosts, std::string_view key) {
  return std::string(hosts) + " " + std::string(key) + "\n";
}

// Lists are compared as one text, one item a line, so that a failure shows both lists.
std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += item + "\n";
  return out;
}

bool HasNote(const KnownHostsResult& result, std::string_view note) {
  for (const std::string& n : result.notes) {
    if (n == note) return true;
  }
  return false;
}

// ---- base64 and fingerprints ------------------------------------------------------------------

TEST(Base64RoundTripsRfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    EXPECT_EQ(Base64Decode(encoded).value_or("<none>"), plain);
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(Base64Decode(Base64Encode(all)).value_or("<none>"), all);
}

TEST(Base64DecodeAcceptsOnlyCanonicalText) {
  for (const char* bad : {"Zg", "Zg=", "Zm9", "Z===", "====", "Zg==Zg==", "Zm=v", "Zm9v\n", "Zm9v ",
                          "Zh==", "Zm9=", "Zm-v", "Zm_v", "Zm9v=", "\xc3\xa9xyz"}) {
    if (!EXPECT_FALSE(Base64Decode(bad).has_value())) std::fprintf(stderr, "    for %s\n", bad);
  }
}

TEST(Sha256FingerprintEqualsSshKeygen) {
  EXPECT_EQ(Sha256Fingerprint(Key(kEd25519).blob), kEd25519Fingerprint);
  EXPECT_EQ(Sha256Fingerprint(Key(kEd25519B).blob), kEd25519BFingerprint);
  EXPECT_EQ(Sha256Fingerprint(Key(kEcdsa).blob), kEcdsaFingerprint);
  EXPECT_EQ(Sha256Fingerprint(Key(kRsa).blob), kRsaFingerprint);
  // SHA-256 of nothing: e3b0c442...b855, base64 without padding.
  EXPECT_EQ(Sha256Fingerprint(""), "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
}

// ---- plain host names -------------------------------------------------------------------------

TEST(PlainHostMatchesItsKey) {
  const std::string file = Line("server.example.com", kEd25519);
  const KnownHostsResult result = CheckIn(file, "server.example.com", 22, kEd25519);
  EXPECT_EQ(result.match, HostKeyMatch::kMatch);
  EXPECT_EQ(result.matched_line, 1);
  EXPECT_FALSE(result.revoked);
  EXPECT_TRUE(result.notes.empty());
}

TEST(OtherKeyOfTheSameTypeIsAMismatch) {
  const std::string file = "# known\n\n" + Line("server.example.com", kEd25519);
  const KnownHostsResult result = CheckIn(file, "server.example.com", 22, kEd25519B);
  EXPECT_EQ(result.match, HostKeyMatch::kMismatch);
  EXPECT_EQ(result.matched_line, 3);
  EXPECT_FALSE(result.revoked);
}

TEST(HostNotInTheFileIsUnknown) {
  const std::string file = Line("server.example.com", kEd25519);
  const KnownHostsResult result = CheckIn(file, "other.example.com", 22, kEd25519);
  EXPECT_EQ(result.match, HostKeyMatch::kUnknown);
  EXPECT_EQ(result.matched_line, 0);
  EXPECT_EQ(MatchIn(file, "server.example", 22, kEd25519), HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchIn(file, "server.example.com.", 22, kEd25519), HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchIn("", "server.example.com", 22, kEd25519), HostKeyMatch::kUnknown);
}

TEST(HostNamesCompareCaseInsensitively) {
  EXPECT_EQ(MatchIn(Line("Server.Example.COM", kEd25519), "server.example.com", 22, kEd25519),
            HostKeyMatch::kMatch);
  EXPECT_EQ(MatchIn(Line("server.example.com", kEd25519), "SERVER.example.com", 22, kEd25519),
            HostKeyMatch::kMatch);
}

TEST(IpLiteralsMatchAsWritten) {
  const std::string file =
      Line("192.0.2.10", kEd25519) + Line("2001:db8::1", kEcdsa) + Line("[2001:db8::2]:2222", kRsa);
  EXPECT_EQ(MatchIn(file, "192.0.2.10", 22, kEd25519), HostKeyMatch::kMatch);
  EXPECT_EQ(MatchIn(file, "192.0.2.1", 22, kEd25519), HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchIn(file, "2001:db8::1", 22, kEcdsa), HostKeyMatch::kMatch);
  EXPECT_EQ(MatchIn(file, "2001:db8::2", 2222, kRsa), HostKeyMatch::kMatch);
}

// ---- ports ------------------------------------------------------------------------------------

TEST(BracketedEntriesApplyToTheirPortOnly) {
  const std::string file =
      Line("server.example.com", kEd25519) + Line("[server.example.com]:2222", kEd25519B);
  EXPECT_EQ(MatchIn(file, "server.example.com", 22, kEd25519), HostKeyMatch::kMatch);
  const KnownHostsResult ported = CheckIn(file, "server.example.com", 2222, kEd25519B);
  EXPECT_EQ(ported.match, HostKeyMatch::kMatch);
  EXPECT_EQ(ported.matched_line, 2);
  // The port-22 entry says nothing about port 2222, and the other way round.
  EXPECT_EQ(MatchIn(file, "server.example.com", 2222, kEd25519), HostKeyMatch::kMismatch);
  EXPECT_EQ(MatchIn(file, "server.example.com", 22, kEd25519B), HostKeyMatch::kMismatch);
  EXPECT_EQ(MatchIn(file, "server.example.com", 2223, kEd25519), HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchIn(file, "server.example.com", 22222, kEd25519B), HostKeyMatch::kUnknown);
}

TEST(Port22IsLookedUpWithoutBrackets) {
  // As in OpenSSH: port 22 is looked up as "host", so "[host]:22" never matches.
  EXPECT_EQ(MatchIn(Line("[server.example.com]:22", kEd25519), "server.example.com", 22, kEd25519),
            HostKeyMatch::kUnknown);
}

// ---- pattern lists ----------------------------------------------------------------------------

TEST(CommaSeparatedNamesEachMatch) {
  const std::string file = Line("server,server.example.com,192.0.2.10,[server]:2200", kEd25519);
  for (const auto& [host, port] : std::vector<std::pair<std::string, uint16_t>>{
           {"server", 22}, {"server.example.com", 22}, {"192.0.2.10", 22}, {"server", 2200}}) {
    const KnownHostsResult result = CheckIn(file, host, port, kEd25519);
    if (!EXPECT_EQ(result.match, HostKeyMatch::kMatch)) {
      std::fprintf(stderr, "    for %s:%u\n", host.c_str(), static_cast<unsigned>(port));
    }
  }
  EXPECT_EQ(MatchIn(file, "192.0.2.10", 2200, kEd25519), HostKeyMatch::kUnknown);
  // Empty list items are ignored.
  EXPECT_EQ(MatchIn(Line(",,server,", kEd25519), "server", 22, kEd25519), HostKeyMatch::kMatch);
}

TEST(WildcardsStarAndQuestionMark) {
  const std::string file =
      Line("*.example.com", kEd25519) + Line("192.0.2.?", kEcdsa) + Line("[*.ported.net]:*", kRsa);
  EXPECT_EQ(MatchIn(file, "a.example.com", 22, kEd25519), HostKeyMatch::kMatch);
  EXPECT_EQ(MatchIn(file, "a.b.example.com", 22, kEd25519), HostKeyMatch::kMatch);
  EXPECT_EQ(MatchIn(file, "example.com", 22, kEd25519), HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchIn(file, "a.example.com", 2222, kEd25519), HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchIn(file, "192.0.2.7", 22, kEcdsa), HostKeyMatch::kMatch);
  EXPECT_EQ(MatchIn(file, "192.0.2.17", 22, kEcdsa), HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchIn(file, "x.ported.net", 8022, kRsa), HostKeyMatch::kMatch);
  EXPECT_EQ(MatchIn(file, "x.ported.net", 22, kRsa), HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchIn(Line("*", kEd25519), "anything", 22, kEd25519B), HostKeyMatch::kMismatch);
}

TEST(NegatedPatternRulesTheLineOut) {
  const std::string file = Line("*.example.com,!bad.example.com", kEd25519);
  EXPECT_EQ(MatchIn(file, "good.example.com", 22, kEd25519), HostKeyMatch::kMatch);
  EXPECT_EQ(MatchIn(file, "bad.example.com", 22, kEd25519), HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchIn(file, "bad.example.com", 22, kEd25519B), HostKeyMatch::kUnknown);
  // The order of the patterns does not matter; a negation alone never names a host.
  EXPECT_EQ(
      MatchIn(Line("!bad.example.com,*.example.com", kEd25519), "bad.example.com", 22, kEd25519),
      HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchIn(Line("!bad.example.com", kEd25519), "good.example.com", 22, kEd25519),
            HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchIn(Line("!*.internal,*", kEd25519), "db.internal", 22, kEd25519),
            HostKeyMatch::kUnknown);
}

TEST(PathologicalWildcardsStayFast) {
  std::string pattern;
  for (int i = 0; i < 2000; ++i) pattern += "*a";
  pattern += "*b";
  const std::string host(255, 'a');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(MatchIn(Line(pattern, kEd25519), host, 22, kEd25519), HostKeyMatch::kUnknown);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(elapsed < std::chrono::seconds(1));
}

// ---- hashed host names ------------------------------------------------------------------------

TEST(HashedEntriesFromSshKeygenMatch) {
  const std::string file = Line(kHashedServer, kEd25519) + Line(kHashedPorted, kEcdsa);
  const KnownHostsResult server = CheckIn(file, "server.example.com", 22, kEd25519);
  EXPECT_EQ(server.match, HostKeyMatch::kMatch);
  EXPECT_EQ(server.matched_line, 1);
  EXPECT_TRUE(server.notes.empty());
  const KnownHostsResult ported = CheckIn(file, "10.0.0.5", 2222, kEcdsa);
  EXPECT_EQ(ported.match, HostKeyMatch::kMatch);
  EXPECT_EQ(ported.matched_line, 2);
  EXPECT_EQ(MatchIn(file, "SERVER.EXAMPLE.COM", 22, kEd25519), HostKeyMatch::kMatch);
  EXPECT_EQ(MatchIn(file, "server.example.com", 22, kEd25519B), HostKeyMatch::kMismatch);
  EXPECT_EQ(MatchIn(file, "server.example.com", 2222, kEd25519), HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchIn(file, "10.0.0.5", 22, kEcdsa), HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchIn(file, "server.example.org", 22, kEd25519), HostKeyMatch::kUnknown);
}

TEST(MalformedHashedNamesAreSkipped) {
  const std::string file =
      Line("|1|+K3OLgepGZmFVUgqnaOTjX/8ubM=", kEd25519) +           // no hash
      Line("|1|+K3OLgepGZmFVUgqnaOTjX/8ubM=|X1LVRggp", kEd25519) +  // 6 bytes
      Line(std::string(kHashedServer) + ",other", kEd25519) +       // a list
      Line("|1||X1LVRggpBMwKkQZ2ptvSiBADXJE=", kEd25519) +          // no salt
      Line("|2|+K3OLgepGZmFVUgqnaOTjX/8ubM=|X1LVRggpBMwKkQZ2ptvSiBADXJE=", kEd25519);
  const KnownHostsResult result = CheckIn(file, "server.example.com", 22, kEd25519);
  EXPECT_EQ(result.match, HostKeyMatch::kUnknown);
  EXPECT_EQ(result.notes.size(), 5u);
  EXPECT_TRUE(HasNote(result, "line 1: malformed hashed host name (skipped)"));
  EXPECT_TRUE(HasNote(result, "line 2: malformed hashed host name (skipped)"));
  EXPECT_TRUE(HasNote(result, "line 3: malformed hashed host name (skipped)"));
  EXPECT_TRUE(HasNote(result, "line 4: malformed hashed host name (skipped)"));
  EXPECT_TRUE(HasNote(result, "line 5: unsupported hashed host name format (skipped)"));
}

// ---- several keys per host --------------------------------------------------------------------

TEST(SeveralKeyTypesPerHostEachMatch) {
  const std::string file = Line("server", kRsa) + Line("server", kEcdsa) + Line("server", kEd25519);
  EXPECT_EQ(CheckIn(file, "server", 22, kRsa).matched_line, 1);
  EXPECT_EQ(CheckIn(file, "server", 22, kEcdsa).matched_line, 2);
  EXPECT_EQ(CheckIn(file, "server", 22, kEd25519).matched_line, 3);
  EXPECT_EQ(MatchIn(file, "server", 22, kEd25519), HostKeyMatch::kMatch);
  // A new Ed25519 key is a change of the known Ed25519 key, whatever the other types say.
  const KnownHostsResult changed = CheckIn(file, "server", 22, kEd25519B);
  EXPECT_EQ(changed.match, HostKeyMatch::kMismatch);
  EXPECT_EQ(changed.matched_line, 3);
}

TEST(KeyOfAnotherTypeOnlyIsUnknownWithANote) {
  const std::string file = Line("server", kRsa) + Line("server", kEcdsa) + Line("other", kEd25519);
  const KnownHostsResult result = CheckIn(file, "server", 22, kEd25519);
  EXPECT_EQ(result.match, HostKeyMatch::kUnknown);
  EXPECT_EQ(result.matched_line, 0);
  EXPECT_TRUE(HasNote(result,
                      "this ssh-ed25519 key is unknown; the host is known with other key types: "
                      "ssh-rsa on line 1, ecdsa-sha2-nistp256 on line 2"));
}

TEST(KnownTypesListsTheTypesOfTheHost) {
  KnownHosts known_hosts;
  known_hosts.Parse(Line("server", kEd25519) + Line("other", kRsa) + Line("server,other", kEcdsa) +
                    Line("*", kEd25519B) + "@revoked server " + kRsa + "\n");
  EXPECT_EQ(Joined(known_hosts.KnownTypes("server", 22)),
            Joined({"ssh-ed25519", "ecdsa-sha2-nistp256"}));
  EXPECT_EQ(Joined(known_hosts.KnownTypes("other", 22)),
            Joined({"ssh-rsa", "ecdsa-sha2-nistp256", "ssh-ed25519"}));
  EXPECT_EQ(Joined(known_hosts.KnownTypes("server", 2222)), Joined({"ssh-ed25519"}));
}

TEST(AnyMatchingLineAcceptsTheKey) {
  // "authentication is accepted if any matching line has the proper key" (sshd(8)).
  const std::string file = Line("server", kEd25519B) + Line("*", kEd25519);
  const KnownHostsResult result = CheckIn(file, "server", 22, kEd25519);
  EXPECT_EQ(result.match, HostKeyMatch::kMatch);
  EXPECT_EQ(result.matched_line, 2);
}

TEST(TypeComesFromTheKeyBlob) {
  // libssh2 may report the negotiated algorithm (rsa-sha2-256); the key's own type is ssh-rsa.
  HostKey key = Key(kRsa);
  key.type = "rsa-sha2-256";
  KnownHosts known_hosts;
  known_hosts.Parse(Line("server", kRsa));
  EXPECT_EQ(known_hosts.Check("server", 22, key).match, HostKeyMatch::kMatch);
}

// ---- markers ----------------------------------------------------------------------------------

TEST(RevokedKeyIsNeverAccepted) {
  const std::string file = Line("server", kEd25519) + "@revoked * " + kEd25519 + "\n";
  const KnownHostsResult result = CheckIn(file, "server", 22, kEd25519);
  EXPECT_EQ(result.match, HostKeyMatch::kMismatch);
  EXPECT_TRUE(result.revoked);
  EXPECT_EQ(result.matched_line, 2);
  EXPECT_TRUE(HasNote(result, "line 2: this ssh-ed25519 key is marked @revoked and is refused"));
  // Also when the host is otherwise unknown.
  const KnownHostsResult unknown_host = CheckIn(file, "elsewhere", 2222, kEd25519);
  EXPECT_EQ(unknown_host.match, HostKeyMatch::kMismatch);
  EXPECT_TRUE(unknown_host.revoked);
}

TEST(RevocationAppliesToTheHostsOfItsLine) {
  const std::string file = Line("server,other", kEd25519) + "@revoked other " + kEd25519 + "\n";
  EXPECT_EQ(MatchIn(file, "server", 22, kEd25519), HostKeyMatch::kMatch);
  EXPECT_EQ(MatchIn(file, "other", 22, kEd25519), HostKeyMatch::kMismatch);
  // A revoked line for another key does not make this key a mismatch nor count as known.
  const std::string revoked_other = std::string("@revoked server ") + kEd25519B + "\n";
  EXPECT_EQ(MatchIn(revoked_other, "server", 22, kEd25519), HostKeyMatch::kUnknown);
  EXPECT_EQ(MatchIn(revoked_other + Line("server", kEd25519), "server", 22, kEd25519),
            HostKeyMatch::kMatch);
  const KnownHostsResult hashed =
      CheckIn(std::string("@revoked ") + kHashedServer + " " + kEd25519 + "\n",
              "server.example.com", 22, kEd25519);
  EXPECT_TRUE(hashed.revoked);
}

TEST(CertAuthorityLinesAreSkippedWithANote) {
  const std::string file = Line("# CAs", "") + "@cert-authority *.example.com " + kEd25519 + "\n" +
                           Line("host.example.com", kEd25519B);
  const KnownHostsResult result = CheckIn(file, "host.example.com", 22, kEd25519);
  EXPECT_EQ(result.match, HostKeyMatch::kMismatch);
  EXPECT_EQ(result.matched_line, 3);
  EXPECT_EQ(Joined(result.notes),
            Joined({"line 2: @cert-authority entries are not supported (skipped)"}));
}

TEST(UnknownMarkerIsSkipped) {
  const KnownHostsResult result =
      CheckIn(std::string("@trusted server ") + kEd25519 + "\n", "server", 22, kEd25519);
  EXPECT_EQ(result.match, HostKeyMatch::kUnknown);
  EXPECT_EQ(Joined(result.notes), Joined({"line 1: unknown marker @trusted (skipped)"}));
}

// ---- malformed lines --------------------------------------------------------------------------

TEST(TypeMustAgreeWithTheKeyBlob) {
  const std::string blob = std::string(kEd25519).substr(12);
  const std::string file = "server ssh-rsa " + blob + "\n" + Line("server", kEd25519B);
  const KnownHostsResult result = CheckIn(file, "server", 22, kEd25519);
  EXPECT_EQ(result.match, HostKeyMatch::kMismatch);
  EXPECT_EQ(result.matched_line, 2);
  EXPECT_EQ(Joined(result.notes),
            Joined({"line 1: key type ssh-rsa does not match the type inside the key "
                    "(ssh-ed25519) (skipped)"}));
  // The same key under its right type in a later line still counts.
  EXPECT_EQ(MatchIn(file + Line("server", kEd25519), "server", 22, kEd25519), HostKeyMatch::kMatch);
}

TEST(MalformedLinesAreSkippedWithNotes) {
  const std::string file =
      "server\n"                                   // 1: no type, no key
      "server ssh-ed25519\n"                       // 2: no key
      "@revoked server ssh-ed25519\n"              // 3: no key after the marker
      "server ssh-ed25519 AAAA!!!!\n"              // 4: not base64
      "server ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\n"  // 5: the length says 11, the blob is shorter
      "server ssh-ed25519 AAAAAA==\n"              // 6: a zero-length type
      + Line("server", kEd25519);                  // 7: fine
  const KnownHostsResult result = CheckIn(file, "server", 22, kEd25519);
  EXPECT_EQ(result.match, HostKeyMatch::kMatch);
  EXPECT_EQ(result.matched_line, 7);
  EXPECT_EQ(Joined(result.notes), Joined({
                                      "line 1: expected host names, key type and key (skipped)",
                                      "line 2: expected host names, key type and key (skipped)",
                                      "line 3: expected host names, key type and key (skipped)",
                                      "line 4: key is not valid base64 (skipped)",
                                      "line 5: key data is malformed (skipped)",
                                      "line 6: key data is malformed (skipped)",
                                  }));
}

TEST(NotesAreCappedWithACount) {
  std::string file;
  for (int i = 0; i < 100; ++i) file += "garbage\n";
  file += Line("server", kEd25519);
  const KnownHostsResult result = CheckIn(file, "server", 22, kEd25519);
  EXPECT_EQ(result.match, HostKeyMatch::kMatch);
  EXPECT_EQ(result.matched_line, 101);
  ASSERT_EQ(result.notes.size(), 33u);
  EXPECT_EQ(result.notes[31], "line 32: expected host names, key type and key (skipped)");
  EXPECT_EQ(result.notes[32], "68 more lines skipped");
}

TEST(NotesShowOnlyPrintableText) {
  const KnownHostsResult result =
      CheckIn(std::string("@re\x01voked\x7f server ") + kEd25519 + "\n", "server", 22, kEd25519);
  EXPECT_EQ(Joined(result.notes), Joined({"line 1: unknown marker @re?voked? (skipped)"}));
}

// ---- layout: comments, blanks, line ends, long lines ------------------------------------------

TEST(CommentsBlankLinesAndTrailingComments) {
  const std::string file = std::string("# a comment\n\n   \n\t# indented comment\n") + "server " +
                           kEd25519 + " root@build-host extra words\n" + "other " + kEcdsa +
                           "   # trailing comment\n" + "  \tthird\t" + kRsa + "\t\n";
  KnownHosts known_hosts;
  known_hosts.Parse(file);
  const KnownHostsResult server = known_hosts.Check("server", 22, Key(kEd25519));
  EXPECT_EQ(server.match, HostKeyMatch::kMatch);
  EXPECT_EQ(server.matched_line, 5);
  EXPECT_TRUE(server.notes.empty());
  EXPECT_EQ(known_hosts.Check("other", 22, Key(kEcdsa)).match, HostKeyMatch::kMatch);
  EXPECT_EQ(known_hosts.Check("third", 22, Key(kRsa)).matched_line, 7);
  // A '#' that is not at the start of the line does not comment out the entry.
  EXPECT_EQ(MatchIn(Line("# server", kEd25519), "server", 22, kEd25519), HostKeyMatch::kUnknown);
}

TEST(CrlfLineEndsAndNoFinalNewline) {
  const std::string file = std::string("# windows\r\n\r\nserver ") + kEd25519 + "\r\nother " +
                           kEcdsa + " comment\r\nlast " + kRsa;
  KnownHosts known_hosts;
  known_hosts.Parse(file);
  const KnownHostsResult server = known_hosts.Check("server", 22, Key(kEd25519));
  EXPECT_EQ(server.match, HostKeyMatch::kMatch);
  EXPECT_EQ(server.matched_line, 3);
  EXPECT_TRUE(server.notes.empty());
  EXPECT_EQ(known_hosts.Check("other", 22, Key(kEcdsa)).match, HostKeyMatch::kMatch);
  EXPECT_EQ(known_hosts.Check("last", 22, Key(kRsa)).matched_line, 5);
}

TEST(VeryLongLines) {
  // A 1 MiB comment, a host list of 20000 names, and a 1 MiB garbage key: all handled.
  std::string names;
  for (int i = 0; i < 20000; ++i) names += "host" + std::to_string(i) + ".example.com,";
  names += "server";
  const std::string file = Line("server", std::string(kEd25519) + " " + std::string(1 << 20, 'c')) +
                           Line(names, kEcdsa) + "server ssh-rsa " + std::string(1 << 20, 'A') +
                           "\n";
  KnownHosts known_hosts;
  known_hosts.Parse(file);
  EXPECT_EQ(known_hosts.Check("server", 22, Key(kEd25519)).match, HostKeyMatch::kMatch);
  EXPECT_EQ(known_hosts.Check("host19999.example.com", 22, Key(kEcdsa)).matched_line, 2);
  EXPECT_EQ(Joined(known_hosts.Check("server", 22, Key(kEd25519)).notes),
            Joined({"line 3: key data is malformed (skipped)"}));
}

TEST(ParseReplacesTheEarlierFile) {
  KnownHosts known_hosts;
  known_hosts.Parse(Line("server", kEd25519) + "junk\n");
  known_hosts.Parse(Line("other", kEd25519));
  const KnownHostsResult result = known_hosts.Check("server", 22, Key(kEd25519));
  EXPECT_EQ(result.match, HostKeyMatch::kUnknown);
  EXPECT_TRUE(result.notes.empty());
}

// ---- FormatLine -------------------------------------------------------------------------------

TEST(FormatLinePlain) {
  EXPECT_EQ(KnownHosts::FormatLine("server.example.com", 22, Key(kEd25519), false),
            std::string("server.example.com ") + kEd25519);
  EXPECT_EQ(KnownHosts::FormatLine("Server.Example.com", 2222, Key(kEcdsa), false),
            std::string("[server.example.com]:2222 ") + kEcdsa);
  EXPECT_EQ(KnownHosts::FormatLine("2001:db8::1", 8022, Key(kRsa), false),
            std::string("[2001:db8::1]:8022 ") + kRsa);
  // The type written is the key's own, not the signature algorithm.
  HostKey rsa = Key(kRsa);
  rsa.type = "rsa-sha2-512";
  EXPECT_EQ(KnownHosts::FormatLine("h", 22, rsa, false), std::string("h ") + kRsa);
}

TEST(FormatLineHashedIsFoundAgain) {
  const std::string line = KnownHosts::FormatLine("Server.Example.com", 2222, Key(kEd25519), true);
  // |1| + 28 characters of base64 salt + | + 28 characters of base64 HMAC-SHA1.
  ASSERT_TRUE(line.size() > 60);
  EXPECT_EQ(line.substr(0, 3), "|1|");
  EXPECT_EQ(line[31], '|');
  EXPECT_EQ(line.substr(60), std::string(" ") + kEd25519);
  EXPECT_TRUE(line.find("server") == std::string::npos);
  EXPECT_TRUE(KnownHosts::FormatLine("server", 22, Key(kEd25519), true) !=
              KnownHosts::FormatLine("server", 22, Key(kEd25519), true));  // fresh salt

  KnownHosts known_hosts;
  known_hosts.Parse(line + "\n");
  EXPECT_EQ(known_hosts.Check("server.example.com", 2222, Key(kEd25519)).match,
            HostKeyMatch::kMatch);
  EXPECT_EQ(known_hosts.Check("server.example.com", 2222, Key(kEd25519B)).match,
            HostKeyMatch::kMismatch);
  EXPECT_EQ(known_hosts.Check("server.example.com", 22, Key(kEd25519)).match,
            HostKeyMatch::kUnknown);
}

TEST(FormatLineRoundTripsThroughParse) {
  for (const char* key : {kEd25519, kEcdsa, kRsa}) {
    for (const uint16_t port : {uint16_t{22}, uint16_t{2222}, uint16_t{65535}}) {
      for (bool hash : {false, true}) {
        const std::string line = KnownHosts::FormatLine("host-1.example.com", port, Key(key), hash);
        const KnownHostsResult result = CheckIn(line + "\n", "HOST-1.example.com", port, key);
        if (!EXPECT_EQ(result.match, HostKeyMatch::kMatch)) {
          std::fprintf(stderr, "    for %s\n", line.c_str());
        }
        EXPECT_TRUE(result.notes.empty());
      }
    }
  }
}

TEST(FormatLineRefusesWhatItCannotWriteSafely) {
  for (const char* host : {"", "a b", "a\tb", "a,b", "*.example.com", "h?st", "!host", "[host]",
                           "|1|x", "@revoked", "#host", "ho\nst", "h\xc3\xa9st", "a\x7f"}) {
    EXPECT_EQ(KnownHosts::FormatLine(host, 22, Key(kEd25519), false), "");
    EXPECT_EQ(KnownHosts::FormatLine(host, 22, Key(kEd25519), true), "");
  }
  HostKey bad;
  bad.type = "ssh-ed25519";
  EXPECT_EQ(KnownHosts::FormatLine("server", 22, bad, false), "");
  bad.blob = std::string(
      "\0\0\0\x04"
      "a b\n",
      8);
  EXPECT_EQ(KnownHosts::FormatLine("server", 22, bad, false), "");
}

}  // namespace
}  // namespace native_ssh::core
