#include "core/ssh_socket.h"

#include <sys/socket.h>

#include <utility>

#include "core/codes.h"
#include "core/libssh2_io.h"
#include "core/ssh_error.h"

namespace native_ssh::core {

SshSocket::SshSocket(uv_loop_t* loop, KexinitSniffer* sniffer) : loop_(loop) {
  io_.loop = loop;
  io_.sniffer = sniffer;
}

SshSocket::~SshSocket() {
  if (ssh_ != nullptr) Release(nullptr);
}

bool SshSocket::Watch(int fd, SocketWatch::EventCallback on_event) {
  watch_ = std::make_unique<SocketWatch>(
      loop_, fd, [this, on_event = std::move(on_event)](int status, int events) {
        // Readable, or an error that a read will report: reads go to the socket again.
        if (status < 0 || (events & (UV_READABLE | UV_DISCONNECT)) != 0) io_.socket_drained = false;
        on_event(status, events);
      });
  return watch_->has_handle();
}

bool SshSocket::IdleLoss(int status, int events, Error* error) {
  if (status >= 0 && (events & UV_DISCONNECT) == 0) return false;
  // libuv reports a socket error as EBADF: the socket's own error says which it was.
  const int err = status < 0 ? watch_->PendingError() : 0;
  io_.peer_closed = err == 0;
  *error = MakeError(codes::kConnectionLost, codes::kLevelConnect,
                     err != 0 ? "Connection error: the connection broke while no command was "
                                "running: " +
                                    OsErrorText(err)
                              : "while no command was running");
  return true;
}

bool SshSocket::OpenSsh() {
  ssh_ = libssh2_session_init_ex(&Libssh2Io::Allocate, &Libssh2Io::Release, &Libssh2Io::Reallocate,
                                 &io_);
  if (ssh_ == nullptr) return false;
  libssh2_session_set_blocking(ssh_, 0);
  Libssh2Io::InstallSocketCallbacks(ssh_);
  io_.ssh_fd = watch_->fd();
  io_.pre_login_left = Libssh2Io::kPreLoginBytes;
  return true;
}

int SshSocket::Libssh2Events(int directions) const {
  directions |= libssh2_session_block_directions(ssh_);
  int events = 0;
  if (directions & LIBSSH2_SESSION_BLOCK_INBOUND) events |= UV_READABLE;
  if (directions & LIBSSH2_SESSION_BLOCK_OUTBOUND) events |= UV_WRITABLE;
  return events == 0 ? UV_READABLE : events;
}

void SshSocket::Release(std::function<void()> on_closed) {
  if (ssh_ != nullptr) {
    // Shut the socket down first (the descriptor stays ours, so it cannot be reused under
    // libssh2), then free: every send fails at once, so nothing waits on the network.
    if (watch_ != nullptr) shutdown(watch_->fd(), SHUT_RDWR);
    Libssh2Io::FreeSession(ssh_, &io_);
    ssh_ = nullptr;
  }
  CloseWatch(std::move(on_closed));
}

void SshSocket::CloseWatch(std::function<void()> on_closed) {
  if (watch_ == nullptr) return;
  watch_->Close(std::move(on_closed));
  watch_.reset();
}

}  // namespace native_ssh::core
