// One session's socket under libuv's poll: owns the descriptor and its uv_poll_t, changes the
// directions watched only when they change, and closes the handle before the descriptor (as
// libuv requires), freeing itself when libuv is done with it.
//
// Engine thread only. Made by Session; `on_event` and `on_closed` call back into it (the session
// stays alive until `on_closed`, which it counts among its open handles).
#ifndef NATIVE_SSH_CORE_SOCKET_WATCH_H_
#define NATIVE_SSH_CORE_SOCKET_WATCH_H_

#include <uv.h>

#include <functional>

namespace native_ssh::core {

class SocketWatch {
 public:
  using EventCallback = std::function<void(int status, int events)>;
  using ClosedCallback = std::function<void()>;

  // Starts owning `fd`; nothing is watched until Want().
  static SocketWatch* Open(uv_loop_t* loop, int fd, EventCallback on_event, ClosedCallback on_closed);
  SocketWatch(const SocketWatch&) = delete;
  SocketWatch& operator=(const SocketWatch&) = delete;

  // Watches `events` (UV_READABLE | UV_WRITABLE | UV_DISCONNECT; 0 stops watching).
  void Want(int events);
  // Stops watching; the descriptor stays open (and owned) until Close().
  void Stop() { Want(0); }
  // Closes the handle, then the descriptor; no event is delivered after this call. `this` is
  // freed by libuv's close callback, after `on_closed`.
  void Close();
  int fd() const { return fd_; }

 private:
  SocketWatch(int fd, EventCallback on_event, ClosedCallback on_closed);
  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnClosed(uv_handle_t* handle);

  uv_poll_t poll_{};
  int fd_;
  int watched_ = 0;
  bool closing_ = false;
  EventCallback on_event_;
  ClosedCallback on_closed_;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_SOCKET_WATCH_H_
