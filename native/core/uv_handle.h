// RAII for libuv handles: the one way the engine makes them.
//
// UvHandle<T> owns one libuv handle (uv_timer_t, uv_poll_t, uv_async_t...) allocated on the heap.
// Close() or the destructor calls uv_close; the memory is freed in libuv's close callback (libuv
// requires it to stay valid until then), after which the optional `on_closed` runs. After Close()
// libuv calls none of the handle's callbacks, so the owner may be destroyed at once.
// UvTimer is a timer whose callback is a std::function.
//
// Threads: every call on the thread that runs the handle's loop (the engine thread).
#ifndef NATIVE_SSH_CORE_UV_HANDLE_H_
#define NATIVE_SSH_CORE_UV_HANDLE_H_

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>

namespace native_ssh::core {

template <typename T>
class UvHandle {
 public:
  UvHandle() = default;
  ~UvHandle() { Close(); }
  UvHandle(const UvHandle&) = delete;
  UvHandle& operator=(const UvHandle&) = delete;

  // Allocates the handle and initializes it with `init` (uv_timer_init, uv_poll_init...) and
  // `args`; its `data` is `owner`. Returns libuv's result (the handle is freed on failure).
  template <typename... InitArgs, typename... Args>
  int Init(int (*init)(uv_loop_t*, T*, InitArgs...), uv_loop_t* loop, void* owner, Args&&... args) {
    Close();
    auto handle = std::make_unique<T>();
    const int rc = init(loop, handle.get(), std::forward<Args>(args)...);
    if (rc != 0) return rc;
    handle_ = handle.release();
    handle_->data = owner;
    return 0;
  }

  T* get() const { return handle_; }
  explicit operator bool() const { return handle_ != nullptr; }

  // Closes the handle; `on_closed` runs once libuv has freed it. No-op (`on_closed` never runs)
  // when there is no handle.
  void Close(std::function<void()> on_closed = nullptr) {
    if (handle_ == nullptr) return;
    auto* base = reinterpret_cast<uv_handle_t*>(std::exchange(handle_, nullptr));
    base->data = on_closed ? new std::function<void()>(std::move(on_closed)) : nullptr;
    uv_close(base, &UvHandle::OnClosed);
  }

 private:
  static void OnClosed(uv_handle_t* base) {
    std::unique_ptr<std::function<void()>> on_closed(
        static_cast<std::function<void()>*>(base->data));
    delete reinterpret_cast<T*>(base);
    if (on_closed) (*on_closed)();
  }

  T* handle_ = nullptr;
};

class UvTimer {
 public:
  UvTimer() = default;
  UvTimer(const UvTimer&) = delete;
  UvTimer& operator=(const UvTimer&) = delete;

  void Init(uv_loop_t* loop) { handle_.Init(&uv_timer_init, loop, this); }
  bool initialized() const { return static_cast<bool>(handle_); }
  // Runs `on_fire` after `timeout_ms`, then every `repeat_ms` (0: once). Restarts a running timer.
  void Start(uint64_t timeout_ms, uint64_t repeat_ms, std::function<void()> on_fire) {
    if (!handle_) return;
    on_fire_ = std::move(on_fire);
    uv_timer_start(handle_.get(), &UvTimer::OnFire, timeout_ms, repeat_ms);
  }
  void Stop() {
    if (handle_) uv_timer_stop(handle_.get());
  }
  void Close(std::function<void()> on_closed = nullptr) { handle_.Close(std::move(on_closed)); }

 private:
  static void OnFire(uv_timer_t* handle) {
    // A copy: the callback may destroy this timer (and with it on_fire_) while it runs.
    std::function<void()> on_fire = static_cast<UvTimer*>(handle->data)->on_fire_;
    if (on_fire) on_fire();
  }

  UvHandle<uv_timer_t> handle_;
  std::function<void()> on_fire_;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_UV_HANDLE_H_
