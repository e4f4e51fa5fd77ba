// Reads the server's algorithm offer (its SSH_MSG_KEXINIT, RFC 4253 §7.1) from the first bytes
// the server sends, which are not encrypted yet, so a failed negotiation can say which side
// offered what (libssh2 only says "Unable to exchange encryption keys"). Pure: bytes in, lists out.
// Engine thread only.
#ifndef NATIVE_SSH_CORE_KEXINIT_SNIFFER_H_
#define NATIVE_SSH_CORE_KEXINIT_SNIFFER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace native_ssh::core {

class KexinitSniffer {
 public:
  // The name-lists of a KEXINIT, in wire order.
  enum List { kKex, kHostKey, kCipherCs, kCipherSc, kMacCs, kMacSc, kCompCs, kCompSc, kListCount };

  // Bytes as received from the server, in order, in any split. Stops looking once done.
  void Feed(const uint8_t* data, size_t length);
  bool done() const { return done_; }
  // Empty until done().
  const std::string& list(List which) const { return lists_[which]; }

 private:
  void Parse();

  std::string buffer_;       // bytes not yet parsed: from the current line on
  size_t scanned_ = 0;       // bytes of buffer_ already searched for a line end
  size_t sniffed_ = 0;       // bytes of whole lines dropped from buffer_
  bool identified_ = false;  // the "SSH-" line has been seen: buffer_ starts with a packet
  bool done_ = false;
  bool given_up_ = false;
  std::string lists_[kListCount];
};

// Names in a key exchange list that signal extensions (RFC 8308 ext-info, strict KEX), not
// algorithms: never offered as a key exchange, never listed as one.
bool IsExtensionMarker(const std::string& name);

// "no common <what>: we offer <ours>; the server offers <theirs>" for the first category in which
// the two offers share nothing, or "" when every category has a common algorithm.
std::string DescribeNegotiationFailure(const std::string ours[KexinitSniffer::kListCount],
                                       const KexinitSniffer& server);

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_KEXINIT_SNIFFER_H_
