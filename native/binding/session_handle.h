// The JavaScript handle of one core Session (`new SessionHandle()` in lib/native.ts). Type-tagged,
// so a method called on a foreign object throws a TypeError instead of crashing. Holds only the
// session id and a weak link to its environment's engine; the core Session lives on the engine
// thread. A handle that is garbage-collected without close() closes its session (a safety net).
//
// Threads: JavaScript thread only.
#ifndef NATIVE_SSH_BINDING_SESSION_HANDLE_H_
#define NATIVE_SSH_BINDING_SESSION_HANDLE_H_

#include <napi.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "../core/request.h"

namespace native_ssh::binding {

class EngineHost;
}  // namespace native_ssh::binding

namespace native_ssh::core {
class Session;
}  // namespace native_ssh::core

namespace native_ssh::binding {

class SessionHandle : public Napi::ObjectWrap<SessionHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit SessionHandle(const Napi::CallbackInfo& info);
  ~SessionHandle() override;

 private:
  static SessionHandle* Self(const Napi::CallbackInfo& info);
  std::shared_ptr<EngineHost> LockHost(Napi::Env env);
  bool ReadRequestId(const Napi::CallbackInfo& info, uint64_t* request_id);
  // Reads the request id (and checks for an options object); null with a pending exception.
  std::shared_ptr<EngineHost> Prepare(const Napi::CallbackInfo& info, const char* usage,
                                      bool wants_options, uint64_t* request_id);
  // Runs `action` with this handle's session on the engine thread. When the session is gone, a
  // request with an id gets a NOT_CONNECTED (or, for close, a plain) final event of kind `missing`.
  void PostToSession(EngineHost* host, std::function<void(core::Session*)> action,
                     uint64_t request_id, core::EventKind missing);

  Napi::Value Connect(const Napi::CallbackInfo& info);
  Napi::Value Exec(const Napi::CallbackInfo& info);
  Napi::Value HostKeyVerdict(const Napi::CallbackInfo& info);
  Napi::Value HostKeyRecheck(const Napi::CallbackInfo& info);
  Napi::Value CancelExec(const Napi::CallbackInfo& info);
  Napi::Value AckExec(const Napi::CallbackInfo& info);
  Napi::Value StopExec(const Napi::CallbackInfo& info);
  Napi::Value WriteStdin(const Napi::CallbackInfo& info);
  Napi::Value EndStdin(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  std::weak_ptr<EngineHost> host_;
  uint64_t session_id_;
  bool connect_started_ = false;
  bool close_posted_ = false;
};

}  // namespace native_ssh::binding

#endif  // NATIVE_SSH_BINDING_SESSION_HANDLE_H_
