// The engine: one thread per Node environment that runs a private libuv loop and owns every
// libssh2 session of that environment. Requests come in through Post() (any thread: a mutex-guarded
// inbox plus uv_async_send); results leave through the EventSink the binding gives at construction.
//
// Threads: the constructor, Post() and the destructor may be called from the JavaScript thread;
// everything else (Sessions, OpenSession, FindSession, loop()) runs on the engine thread only.
#ifndef NATIVE_SSH_CORE_ENGINE_H_
#define NATIVE_SSH_CORE_ENGINE_H_

#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "request.h"

namespace native_ssh::core {

class Session;

class Engine {
 public:
  using Task = std::function<void()>;

  explicit Engine(EventSink* sink);
  ~Engine();  // closes every session (SSH disconnect, bounded) and joins the thread
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Any thread. Runs `task` on the engine thread, in order. Ignored after shutdown began.
  void Post(Task task);

  // Engine thread only.
  uv_loop_t* loop() { return &loop_; }
  EventSink* sink() { return sink_; }
  Session* FindSession(uint64_t id);
  Session* CreateSession(uint64_t id);
  // Called by a Session once it has released every handle; destroys it.
  void ForgetSession(uint64_t id);

 private:
  void Run();
  void Drain();
  void BeginShutdown();
  static void OnAsync(uv_async_t* handle);

  EventSink* sink_;
  uv_loop_t loop_{};
  uv_async_t inbox_signal_{};
  std::mutex mutex_;
  std::deque<Task> inbox_;
  bool accepting_ = true;  // guarded by mutex_
  bool stopping_ = false;  // engine thread
  std::unordered_map<uint64_t, std::unique_ptr<Session>> sessions_;
  std::thread thread_;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_ENGINE_H_
