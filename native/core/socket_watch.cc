#include "socket_watch.h"

#include <unistd.h>

#include <utility>

namespace native_ssh::core {

SocketWatch::SocketWatch(int fd, EventCallback on_event, ClosedCallback on_closed)
    : fd_(fd), on_event_(std::move(on_event)), on_closed_(std::move(on_closed)) {}

SocketWatch* SocketWatch::Open(uv_loop_t* loop, int fd, EventCallback on_event,
                               ClosedCallback on_closed) {
  auto* watch = new SocketWatch(fd, std::move(on_event), std::move(on_closed));
  uv_poll_init(loop, &watch->poll_, fd);
  watch->poll_.data = watch;
  return watch;
}

void SocketWatch::Want(int events) {
  if (closing_ || events == watched_) return;
  watched_ = events;
  if (events == 0) {
    uv_poll_stop(&poll_);
  } else {
    uv_poll_start(&poll_, events, &SocketWatch::OnPoll);
  }
}

void SocketWatch::Close() {
  if (closing_) return;
  closing_ = true;
  uv_poll_stop(&poll_);
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_), &SocketWatch::OnClosed);
}

void SocketWatch::OnPoll(uv_poll_t* handle, int status, int events) {
  auto* self = static_cast<SocketWatch*>(handle->data);
  if (self->closing_) return;
  self->on_event_(status, events);
}

void SocketWatch::OnClosed(uv_handle_t* handle) {
  auto* self = static_cast<SocketWatch*>(handle->data);
  // libuv requires the poll handle to be closed before its descriptor.
  close(self->fd_);
  ClosedCallback on_closed = std::move(self->on_closed_);
  delete self;
  if (on_closed) on_closed();
}

}  // namespace native_ssh::core
