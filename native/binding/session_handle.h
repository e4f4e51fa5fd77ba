// The JavaScript handle of one connection (`new SessionHandle()` in lib/native.ts). Type-tagged,
// so a method called on a foreign object throws a TypeError instead of crashing. Holds only the
// connection's id and a weak link to its environment's engine: each method checks and converts
// its arguments and hands the request to the Engine, which runs it on the engine thread (and
// answers it when the connection is gone). A handle that is garbage-collected without close()
// closes its connection (a safety net).
//
// Threads: JavaScript thread only.
#ifndef NATIVE_SSH_BINDING_SESSION_HANDLE_H_
#define NATIVE_SSH_BINDING_SESSION_HANDLE_H_

#include <napi.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "core/engine.h"

namespace native_ssh::binding {

class EngineHost;

class SessionHandle : public Napi::ObjectWrap<SessionHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit SessionHandle(const Napi::CallbackInfo& info);
  ~SessionHandle() override;

 private:
  // What a method reads before its own arguments.
  enum class Takes { kNothing, kRequestId, kRequestIdAndOptions };
  // One method call, checked: its handle, the running engine and the request id (0 when none).
  struct Call {
    const Napi::CallbackInfo& info;
    const char* usage;  // "ackExec(requestId, bytes)": names the method in TypeErrors
    SessionHandle* self;
    EngineHost* host;
    uint64_t request_id;
    core::Engine* engine() const;
    uint64_t session() const { return self->session_id_; }
    // Throws the TypeError "<usage>: <what>"; returns false.
    bool Reject(const char* what) const;
  };
  // The shape every method shares: checks the receiver, reads what `takes` names, finds the
  // running engine, then runs `send`. A failed check leaves a pending exception.
  static Napi::Value Run(const Napi::CallbackInfo& info, const char* usage, Takes takes,
                         const std::function<void(const Call&)>& send);
  static SessionHandle* Self(const Napi::CallbackInfo& info);
  static bool ReadRequestId(const Napi::CallbackInfo& info, uint64_t* request_id);
  std::shared_ptr<EngineHost> LockHost(Napi::Env env);

  Napi::Value Connect(const Napi::CallbackInfo& info);
  Napi::Value Exec(const Napi::CallbackInfo& info);
  Napi::Value HostKeyVerdict(const Napi::CallbackInfo& info);
  Napi::Value HostKeyRecheck(const Napi::CallbackInfo& info);
  Napi::Value CancelExec(const Napi::CallbackInfo& info);
  Napi::Value AckExec(const Napi::CallbackInfo& info);
  Napi::Value StopExec(const Napi::CallbackInfo& info);
  Napi::Value WriteStdin(const Napi::CallbackInfo& info);
  Napi::Value EndStdin(const Napi::CallbackInfo& info);
  Napi::Value SftpOpen(const Napi::CallbackInfo& info);
  Napi::Value SftpOp(const Napi::CallbackInfo& info);
  Napi::Value SftpClose(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  std::weak_ptr<EngineHost> host_;
  uint64_t session_id_;
  bool connect_started_ = false;
  bool close_posted_ = false;
};

}  // namespace native_ssh::binding

#endif  // NATIVE_SSH_BINDING_SESSION_HANDLE_H_
