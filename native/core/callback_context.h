// What libssh2's callbacks (socket I/O, keyboard-interactive) can reach through the session's
// abstract pointer. Owned by Session; engine thread only.
#ifndef NATIVE_SSH_CORE_CALLBACK_CONTEXT_H_
#define NATIVE_SSH_CORE_CALLBACK_CONTEXT_H_

#include <string>

#include "block_pool.h"

namespace native_ssh::core {

class Authenticator;
class KexinitSniffer;

struct CallbackContext {
  // libssh2's memory for this session (its allocation callbacks).
  BlockPool blocks;
  // Bytes that arrived after a proxy's reply and belong to SSH: served before the socket's own.
  std::string inbound_prefix;
  Authenticator* authenticator = nullptr;
  // Sees the server's first bytes until it has read its KEXINIT (for negotiation errors).
  KexinitSniffer* sniffer = nullptr;
  // uv_now() of the last read that returned bytes (keepalive: is the peer still there?).
  uint64_t last_receive_ms = 0;
  bool peer_closed = false;  // a read saw end-of-stream
  // A read said EAGAIN and the socket has not been reported readable since: further reads are
  // answered EAGAIN without a system call. libssh2 tries a read for every channel it steps, so
  // with many channels this saves most of the engine's recv and setsockopt calls; the poll
  // handle is level-triggered, so data that arrives meanwhile is reported all the same.
  bool socket_drained = false;
  void* loop = nullptr;  // uv_loop_t* of the engine, for uv_now()
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_CALLBACK_CONTEXT_H_
