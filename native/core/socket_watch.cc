#include "core/socket_watch.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace native_ssh::core {

SocketWatch::SocketWatch(uv_loop_t* loop, int fd, EventCallback on_event)
    : fd_(fd), on_event_(std::move(on_event)) {
  poll_.Init(&uv_poll_init, loop, this, fd);
}

void SocketWatch::Want(int events) {
  if (!poll_ || events == watched_) return;
  watched_ = events;
  if (events == 0) {
    uv_poll_stop(poll_.get());
  } else {
    uv_poll_start(poll_.get(), events, &SocketWatch::OnPoll);
  }
}

void SocketWatch::Close(std::function<void()> on_closed) {
  if (fd_ < 0) return;
  const int fd = std::exchange(fd_, -1);
  if (!poll_) {
    close(fd);
    return;
  }
  // libuv requires the poll handle to be closed before its descriptor.
  poll_.Close([fd, on_closed = std::move(on_closed)] {
    close(fd);
    if (on_closed) on_closed();
  });
}

int SocketWatch::PendingError() const {
  int err = 0;
  socklen_t length = sizeof(err);
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &length) != 0) err = errno;
  return err;
}

void SocketWatch::OnPoll(uv_poll_t* handle, int status, int events) {
  static_cast<SocketWatch*>(handle->data)->on_event_(status, events);
}

}  // namespace native_ssh::core
