// What libssh2's callbacks (socket I/O, memory, keyboard-interactive) can reach through the
// session's abstract pointer, and the limits the socket callbacks enforce (libssh2_io.h). Owned
// by the session's SshSocket; engine thread only.
#ifndef NATIVE_SSH_CORE_CALLBACK_CONTEXT_H_
#define NATIVE_SSH_CORE_CALLBACK_CONTEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/util/block_pool.h"

namespace native_ssh::core {

class Authenticator;
class KexinitSniffer;

struct CallbackContext {
  // libssh2's memory for this session (its allocation callbacks).
  BlockPool blocks;
  // Bytes received but not yet handed to libssh2, served before the socket's own: what followed
  // a proxy's reply, then what a read-ahead took beyond a small read (libssh2 reads the banner
  // one byte at a time). `pending_head` is how much of it was handed over already.
  std::string pending;
  size_t pending_head = 0;
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
  // Fairness: bytes this session may still take in its current turn on the engine (Session::Pump
  // starts a turn). Past it reads answer EAGAIN and `turn_spent` asks for another turn.
  size_t turn_left = 0;
  bool turn_spent = false;
  // Bytes the server may still send before login completes (then unlimited); past it reads
  // fail and `limit_error` says why.
  uint64_t pre_login_left = UINT64_MAX;
  std::string limit_error;
  // The SSH connection's socket. libssh2 also reads and writes the ssh-agent's socket through
  // these callbacks; that one gets plain, bounded I/O (Libssh2Io::kForeignWaitMs).
  int ssh_fd = -1;
  // While connecting: the end of the connect bound (uv_hrtime() in ms), which also cuts waits
  // on the agent's socket short; 0 once connected.
  uint64_t connect_deadline_ms = 0;
  void* loop = nullptr;  // uv_loop_t* of the engine, for uv_now()
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_CALLBACK_CONTEXT_H_
