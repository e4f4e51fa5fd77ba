// The engine: one thread per Node environment that runs a private libuv loop and owns every
// libssh2 session of that environment. The binding's requests come in through the request methods
// below (each posted to a mutex-guarded inbox plus uv_async_send) and run on the engine thread
// against the session they name; a request for a session that is gone (closed, lost, never
// connected) still gets its final event, from here. Results leave through the EventSink the
// binding gives at construction. The engine is every Session's host (SessionHost).
//
// Threads: the constructor, the request methods, Versions() and the destructor are called from
// the JavaScript thread; everything else runs on the engine thread only.
#ifndef NATIVE_SSH_CORE_ENGINE_H_
#define NATIVE_SSH_CORE_ENGINE_H_

#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/messages.h"
#include "core/session_host.h"
#include "core/uv_handle.h"

namespace native_ssh::core {

class Session;

class Engine : private SessionHost {
 public:
  explicit Engine(EventSink* sink);
  ~Engine();  // closes every session (SSH disconnect, bounded) and joins the thread
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  struct LibraryVersions {
    std::string libssh2;      // as reported by the linked libssh2 at run time
    std::string openssl;      // OpenSSL_version(OPENSSL_VERSION) as seen from libssh2's side
    std::string openssl_dir;  // OpenSSL_version(OPENSSL_DIR)
  };
  // Any thread; needs no engine.
  static LibraryVersions Versions();

  // Requests. `session` is the binding's id of one connection (Connect creates it); a request_id
  // of 0 asks for no final event (Close from garbage collection). Ignored after shutdown began.
  void Connect(uint64_t session, uint64_t request_id, ConnectRequest request);
  // JavaScript's answer to a kHostKey event. A refusal's code and message may be empty: the
  // engine's (HOST_KEY_MISMATCH, "the host key was refused") then apply.
  void HostKeyVerdict(uint64_t session, bool accept, std::string code, std::string message);
  void HostKeyRecheck(uint64_t session, std::string known_hosts_text);
  void Exec(uint64_t session, uint64_t request_id, ExecRequest request);
  // Settles a command with `code` (its level follows from it) and `message`.
  void CancelExec(uint64_t session, uint64_t request_id, std::string code, std::string message);
  void AckExec(uint64_t session, uint64_t request_id, uint64_t bytes);
  void StopExec(uint64_t session, uint64_t request_id);
  void WriteStdin(uint64_t session, uint64_t request_id, std::vector<uint8_t> bytes);
  void EndStdin(uint64_t session, uint64_t request_id);
  // SFTP: open a session, then operations (and the close) naming it by the open's request id.
  void SftpOpen(uint64_t session, uint64_t request_id);
  void SftpOp(uint64_t session, uint64_t request_id, SftpRequest request);
  void Close(uint64_t session, uint64_t request_id);

 private:
  using Task = std::function<void()>;

  // Runs `task` on the engine thread, in order.
  void Post(Task task);
  // Posts `action` for session `id`. When the session is gone, a request with an id gets a final
  // event of kind `missing` (NOT_CONNECTED; a plain one for kClosed).
  void ToSession(uint64_t id, uint64_t request_id, EventKind missing,
                 std::function<void(Session*)> action);
  void Run();
  void Drain();
  void BeginShutdown();

  // SessionHost (engine thread).
  uv_loop_t* loop() override { return &loop_; }
  void Deliver(Event event) override { sink_->Deliver(std::move(event)); }
  void SessionEnded(uint64_t id) override;

  EventSink* sink_;
  uv_loop_t loop_{};
  UvHandle<uv_async_t> inbox_signal_;
  std::mutex mutex_;
  std::deque<Task> inbox_;
  bool accepting_ = true;  // guarded by mutex_
  bool stopping_ = false;  // engine thread
  std::unordered_map<uint64_t, std::unique_ptr<Session>> sessions_;
  std::thread thread_;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_ENGINE_H_
