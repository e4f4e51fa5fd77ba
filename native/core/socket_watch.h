// One session's socket under libuv's poll: owns the descriptor and its uv_poll_t handle
// (UvHandle), changes the directions watched only when they change, and closes the handle before
// the descriptor, as libuv requires.
//
// Engine thread only. Owned by Session, whose `on_event` it calls.
#ifndef NATIVE_SSH_CORE_SOCKET_WATCH_H_
#define NATIVE_SSH_CORE_SOCKET_WATCH_H_

#include <uv.h>

#include <functional>

#include "core/uv_handle.h"

namespace native_ssh::core {

class SocketWatch {
 public:
  using EventCallback = std::function<void(int status, int events)>;

  // Starts owning `fd`; nothing is watched until Want().
  SocketWatch(uv_loop_t* loop, int fd, EventCallback on_event);
  ~SocketWatch() { Close(); }
  SocketWatch(const SocketWatch&) = delete;
  SocketWatch& operator=(const SocketWatch&) = delete;

  // Watches `events` (UV_READABLE | UV_WRITABLE | UV_DISCONNECT; 0 stops watching).
  void Want(int events);
  // Stops watching; the descriptor stays open (and owned) until Close().
  void Stop() { Want(0); }
  // Closes the handle, then the descriptor; no event is delivered after this call. `on_closed`
  // runs once both are closed (only when there is a poll handle to close: see has_handle()).
  void Close(std::function<void()> on_closed = nullptr);
  // False when libuv refused the descriptor (the watch then reports nothing).
  bool has_handle() const { return static_cast<bool>(poll_); }
  int fd() const { return fd_; }
  // The socket's pending error (SO_ERROR: 0 for none), or errno when it cannot be read.
  int PendingError() const;

 private:
  static void OnPoll(uv_poll_t* handle, int status, int events);

  UvHandle<uv_poll_t> poll_;
  int fd_;
  int watched_ = 0;
  EventCallback on_event_;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_SOCKET_WATCH_H_
