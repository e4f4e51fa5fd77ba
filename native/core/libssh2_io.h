// libssh2's socket and memory callbacks for one session, and the limits they enforce on what a
// server can make the engine do: each session's turn on the engine takes at most kTurnBytes from
// its socket (reads answer EAGAIN past it), and at most kPreLoginBytes arrive before login
// completes. Small reads are served from a read-ahead instead of one system call each.
//
// Engine thread only: libssh2 calls these from inside Session::Pump; their state is the
// session's CallbackContext (its abstract pointer).
#ifndef NATIVE_SSH_CORE_LIBSSH2_IO_H_
#define NATIVE_SSH_CORE_LIBSSH2_IO_H_

#include <libssh2.h>

#include <cstddef>
#include <cstdint>

#include "core/callback_context.h"

namespace native_ssh::core {

class Libssh2Io {
 public:
  // Bytes one session may read from its socket in one turn on the engine.
  static constexpr size_t kTurnBytes = 256 * 1024;
  // Bytes a server may send before login completes (banner, key exchange, login replies take a
  // few KB; OpenSSH's own client has per-packet limits only).
  static constexpr uint64_t kPreLoginBytes = 4 * 1024 * 1024;
  // Reads smaller than kSmallRead (libssh2 reads the banner one byte per call) take kReadAhead
  // bytes from the socket and keep the rest; larger ones (packets) go to the socket directly.
  static constexpr size_t kSmallRead = 512;
  static constexpr size_t kReadAhead = 16 * 1024;
  // The longest the engine waits on the ssh-agent's socket (blocking: libssh2's agent code has
  // no safe way to resume a partial exchange) before the agent login fails; never past the
  // connect bound.
  static constexpr int kForeignWaitMs = 10000;

  // Installs the socket callbacks on `session` (created with Allocate/Release/Reallocate).
  static void InstallSocketCallbacks(LIBSSH2_SESSION* session);
  // A new turn: the session may read kTurnBytes again.
  static void StartTurn(CallbackContext* context);
  // Frees `session` whose socket was shut down (shutdown(2)): reads go to the socket again,
  // where they find the end of the stream at once, so that nothing waits on the network.
  static void FreeSession(LIBSSH2_SESSION* session, CallbackContext* context);

  static LIBSSH2_RECV_FUNC(Receive);
  static LIBSSH2_SEND_FUNC(Send);
  static LIBSSH2_ALLOC_FUNC(Allocate);
  static LIBSSH2_FREE_FUNC(Release);
  static LIBSSH2_REALLOC_FUNC(Reallocate);
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_LIBSSH2_IO_H_
