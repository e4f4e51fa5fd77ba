// One connection's socket and the libssh2 session on it: owns the SocketWatch (descriptor and
// poll handle), the LIBSSH2_SESSION and the CallbackContext that libssh2's callbacks see
// (Libssh2Io); makes the session, turns the directions libssh2 blocks on into poll events, and
// frees everything in the only safe order: socket shut down, libssh2 session freed, poll handle
// closed, descriptor closed.
//
// Owned by one Session; engine thread only.
#ifndef NATIVE_SSH_CORE_SSH_SOCKET_H_
#define NATIVE_SSH_CORE_SSH_SOCKET_H_

#include <libssh2.h>
#include <uv.h>

#include <functional>
#include <memory>

#include "core/callback_context.h"
#include "core/messages.h"
#include "core/socket_watch.h"

namespace native_ssh::core {

class SshSocket {
 public:
  SshSocket(uv_loop_t* loop, KexinitSniffer* sniffer);
  ~SshSocket();
  SshSocket(const SshSocket&) = delete;
  SshSocket& operator=(const SshSocket&) = delete;

  // Watches `fd`, now owned (nothing is watched until Want). False when libuv refused it: then
  // no handle is open, and Release runs no `on_closed`. An event that makes the socket readable
  // (or reports an error a read will see) sends libssh2's reads to the socket again.
  bool Watch(int fd, SocketWatch::EventCallback on_event);
  bool watching() const { return watch_ != nullptr; }
  SocketWatch& watch() { return *watch_; }
  int fd() const { return watch_->fd(); }
  // Makes the libssh2 session on the watched socket (non-blocking, Libssh2Io's callbacks, the
  // pre-login byte limit). False when libssh2 cannot allocate one.
  bool OpenSsh();
  LIBSSH2_SESSION* ssh() const { return ssh_; }
  CallbackContext& io() { return io_; }
  // The poll events for what libssh2 blocks on (and `directions`, LIBSSH2_SESSION_BLOCK_*);
  // UV_READABLE when nothing.
  int Libssh2Events(int directions) const;
  // A poll event while no command runs (nothing reads the socket): true with a CONNECTION_LOST
  // `error` when it says that the server closed the connection (peer_closed) or that it broke.
  bool IdleLoss(int status, int events, Error* error);
  // Frees the libssh2 session (the socket shut down first, so nothing waits on the network) and
  // closes the watch; `on_closed` runs once its poll handle has closed.
  void Release(std::function<void()> on_closed);
  // Closes the watch only (a failed TCP attempt).
  void CloseWatch(std::function<void()> on_closed);

 private:
  uv_loop_t* loop_;
  CallbackContext io_;
  std::unique_ptr<SocketWatch> watch_;
  LIBSSH2_SESSION* ssh_ = nullptr;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_SSH_SOCKET_H_
