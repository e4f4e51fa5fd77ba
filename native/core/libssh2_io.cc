#include "core/libssh2_io.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <uv.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/kexinit_sniffer.h"

namespace native_ssh::core {

namespace {

// Accounts for `length` bytes at `data` handed to libssh2.
ssize_t Account(CallbackContext* context, const void* data, size_t length) {
  context->turn_left -= length;
  if (context->sniffer != nullptr && !context->sniffer->done()) {
    context->sniffer->Feed(static_cast<const uint8_t*>(data), length);
  }
  return static_cast<ssize_t>(length);
}

// I/O on a socket that is not the session's own (the ssh-agent's): wait at most kForeignWaitMs
// for it to be ready, then one call. End-of-stream and time-outs are errors.
ssize_t ForeignIo(const CallbackContext* context, int socket, void* buffer, size_t length,
                  int flags, bool reading) {
  pollfd waiter{socket, static_cast<short>(reading ? POLLIN : POLLOUT), 0};
  int wait_ms = Libssh2Io::kForeignWaitMs;
  if (context->connect_deadline_ms != 0) {
    // Never past the connect bound (it cannot fire while the engine waits here).
    const uint64_t now_ms = uv_hrtime() / 1000000;
    if (now_ms >= context->connect_deadline_ms) return -ETIMEDOUT;
    wait_ms = static_cast<int>(
        std::min<uint64_t>(static_cast<uint64_t>(wait_ms), context->connect_deadline_ms - now_ms));
  }
  int ready = 0;
  do {
    ready = poll(&waiter, 1, wait_ms);
  } while (ready < 0 && errno == EINTR);
  if (ready == 0) return -ETIMEDOUT;
  if (ready < 0) return -errno;
  ssize_t n = reading ? recv(socket, buffer, length, flags)
                      : send(socket, buffer, length, flags | MSG_NOSIGNAL);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
  if (n == 0 && reading && length > 0) return -ECONNRESET;
  return n;
}

}  // namespace

void Libssh2Io::InstallSocketCallbacks(LIBSSH2_SESSION* session) {
  libssh2_session_callback_set2(session, LIBSSH2_CALLBACK_RECV,
                                reinterpret_cast<libssh2_cb_generic*>(&Libssh2Io::Receive));
  libssh2_session_callback_set2(session, LIBSSH2_CALLBACK_SEND,
                                reinterpret_cast<libssh2_cb_generic*>(&Libssh2Io::Send));
}

void Libssh2Io::StartTurn(CallbackContext* context) {
  context->turn_left = kTurnBytes;
  context->turn_spent = false;
}

LIBSSH2_RECV_FUNC(Libssh2Io::Receive) {
  auto* context = static_cast<CallbackContext*>(*abstract);
  if (socket != context->ssh_fd) return ForeignIo(context, socket, buffer, length, flags, true);
  if (length == 0) return 0;
  if (context->turn_left == 0) {
    // This session had its share of the engine: the others go first.
    context->turn_spent = true;
    return -EAGAIN;
  }
  const size_t want = std::min(length, context->turn_left);
  if (context->pending_head < context->pending.size()) {
    const size_t n = std::min(want, context->pending.size() - context->pending_head);
    std::memcpy(buffer, context->pending.data() + context->pending_head, n);
    ssize_t delivered = Account(context, buffer, n);
    context->pending_head += n;
    if (context->pending_head == context->pending.size()) {
      std::string().swap(context->pending);  // an idle session keeps no read-ahead memory
      context->pending_head = 0;
    }
    return delivered;
  }
  if (context->socket_drained) return -EAGAIN;
  if (context->pre_login_left == 0) {
    context->limit_error = "the server sent more than " +
                           std::to_string(kPreLoginBytes / (1024 * 1024)) +
                           " MiB before the login completed";
    return -EMSGSIZE;
  }
  // Re-arm quick ACKs before each read: sshd leaves Nagle on for exec channels, and delayed ACKs
  // otherwise add ~40 ms to a short command (measured; see docs/architecture.md).
  int one = 1;
  setsockopt(socket, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
  static thread_local char ahead[kReadAhead];
  const bool read_ahead = want < kSmallRead;
  const size_t room = static_cast<size_t>(
      std::min<uint64_t>(read_ahead ? kReadAhead : want, context->pre_login_left));
  ssize_t n = recv(socket, read_ahead ? ahead : static_cast<char*>(buffer), room, flags);
  if (n < 0) {
    const int error = errno;
    if (error == EAGAIN || error == EWOULDBLOCK) context->socket_drained = true;
    return -error;
  }
  if (n == 0) {
    context->peer_closed = true;
    return 0;
  }
  const size_t got = static_cast<size_t>(n);
  if (context->pre_login_left != UINT64_MAX) context->pre_login_left -= got;
  context->last_receive_ms = uv_now(static_cast<uv_loop_t*>(context->loop));
  if (!read_ahead) return Account(context, buffer, got);
  const size_t now = std::min(got, want);
  std::memcpy(buffer, ahead, now);
  context->pending.assign(ahead + now, got - now);
  context->pending_head = 0;
  return Account(context, buffer, now);
}

LIBSSH2_SEND_FUNC(Libssh2Io::Send) {
  auto* context = static_cast<CallbackContext*>(*abstract);
  if (socket != context->ssh_fd) {
    return ForeignIo(context, socket, const_cast<void*>(buffer), length, flags, false);
  }
  ssize_t n = send(socket, buffer, length, flags | MSG_NOSIGNAL);
  if (n < 0) return -errno;
  return n;
}

LIBSSH2_ALLOC_FUNC(Libssh2Io::Allocate) {
  return static_cast<CallbackContext*>(*abstract)->blocks.Alloc(count);
}

LIBSSH2_FREE_FUNC(Libssh2Io::Release) {
  static_cast<CallbackContext*>(*abstract)->blocks.Free(ptr);
}

LIBSSH2_REALLOC_FUNC(Libssh2Io::Reallocate) {
  return static_cast<CallbackContext*>(*abstract)->blocks.Realloc(ptr, count);
}

void Libssh2Io::FreeSession(LIBSSH2_SESSION* session, CallbackContext* context) {
  // No turn budget, nothing "drained", nothing pending: an EAGAIN here would make
  // libssh2_session_free() give up and leak.
  context->socket_drained = false;
  context->turn_left = SIZE_MAX;
  context->pending.clear();
  context->pending_head = 0;
  int rc = LIBSSH2_ERROR_EAGAIN;
  // (libssh2 patch 0023: a half-sent packet no longer makes this EAGAIN for ever.)
  for (int i = 0; i < 1000 && rc == LIBSSH2_ERROR_EAGAIN; ++i) rc = libssh2_session_free(session);
}

}  // namespace native_ssh::core
