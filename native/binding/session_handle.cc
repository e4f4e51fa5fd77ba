#include "session_handle.h"

#include <atomic>
#include <utility>

#include "../core/codes.h"
#include "../core/engine.h"
#include "../core/session.h"
#include "addon.h"
#include "event_convert.h"

namespace native_ssh::binding {

namespace {

// Random tag generated once for this project (napi_type_tag): marks objects made by this class.
constexpr napi_type_tag kSessionHandleTag = {0x6e7373685f736573ULL, 0x9b2f4c1d7a03e5b1ULL};

std::atomic<uint64_t> next_session_id{1};

core::Event NoSessionEvent(uint64_t request_id, core::EventKind kind) {
  core::Event event;
  event.request_id = request_id;
  event.kind = kind;
  if (kind != core::EventKind::kClosed) {
    event.ok = false;
    event.error.code = core::codes::kNotConnected;
    event.error.level = core::codes::kLevelChannel;
    // The session ended and was freed: closed, lost (the server went away, as TinySSH does after
    // its one channel), or never connected.
    event.error.message = "No session: the connection is closed or was lost";
  }
  return event;
}

}  // namespace

Napi::Function SessionHandle::Define(Napi::Env env) {
  return DefineClass(env, "SessionHandle",
                     {
                         InstanceMethod("connect", &SessionHandle::Connect),
                         InstanceMethod("exec", &SessionHandle::Exec),
                         InstanceMethod("hostKeyVerdict", &SessionHandle::HostKeyVerdict),
                         InstanceMethod("cancelExec", &SessionHandle::CancelExec),
                         InstanceMethod("hostKeyRecheck", &SessionHandle::HostKeyRecheck),
                         InstanceMethod("ackExec", &SessionHandle::AckExec),
                         InstanceMethod("stopExec", &SessionHandle::StopExec),
                         InstanceMethod("writeStdin", &SessionHandle::WriteStdin),
                         InstanceMethod("endStdin", &SessionHandle::EndStdin),
                         InstanceMethod("close", &SessionHandle::Close),
                     });
}

SessionHandle::SessionHandle(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<SessionHandle>(info), session_id_(next_session_id++) {
  info.This().As<Napi::Object>().TypeTag(&kSessionHandleTag);
  auto* addon = info.Env().GetInstanceData<NativeSshAddon>();
  if (addon != nullptr) host_ = addon->host();
}

SessionHandle::~SessionHandle() {
  if (!connect_started_ || close_posted_) return;
  std::shared_ptr<EngineHost> host = host_.lock();
  if (!host || !host->started()) return;
  const uint64_t id = session_id_;
  core::Engine* engine = host->engine();
  engine->Post([engine, id] {
    if (core::Session* session = engine->FindSession(id)) session->Close(0);
  });
}

SessionHandle* SessionHandle::Self(const Napi::CallbackInfo& info) {
  Napi::Value self = info.This();
  if (!self.IsObject() || !self.As<Napi::Object>().CheckTypeTag(&kSessionHandleTag)) {
    Napi::TypeError::New(info.Env(), "SessionHandle method called on an incompatible receiver")
        .ThrowAsJavaScriptException();
    return nullptr;
  }
  return Napi::ObjectWrap<SessionHandle>::Unwrap(self.As<Napi::Object>());
}

std::shared_ptr<EngineHost> SessionHandle::LockHost(Napi::Env env) {
  std::shared_ptr<EngineHost> host = host_.lock();
  if (!host || !host->started()) {
    Napi::Error::New(env, "native-ssh: the engine is not running (init() was not called)")
        .ThrowAsJavaScriptException();
    return nullptr;
  }
  return host;
}

bool SessionHandle::ReadRequestId(const Napi::CallbackInfo& info, uint64_t* request_id) {
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(info.Env(), "requestId must be a number").ThrowAsJavaScriptException();
    return false;
  }
  double value = info[0].As<Napi::Number>().DoubleValue();
  if (!(value >= 1)) {
    Napi::TypeError::New(info.Env(), "requestId must be positive").ThrowAsJavaScriptException();
    return false;
  }
  *request_id = static_cast<uint64_t>(value);
  return true;
}

std::shared_ptr<EngineHost> SessionHandle::Prepare(const Napi::CallbackInfo& info,
                                                   const char* usage, bool wants_options,
                                                   uint64_t* request_id) {
  Napi::Env env = info.Env();
  if (!ReadRequestId(info, request_id)) return nullptr;
  if (wants_options && (info.Length() < 2 || !info[1].IsObject())) {
    Napi::TypeError::New(env, std::string(usage) + ": options must be an object")
        .ThrowAsJavaScriptException();
    return nullptr;
  }
  return LockHost(env);
}

void SessionHandle::PostToSession(EngineHost* host, std::function<void(core::Session*)> action,
                                  uint64_t request_id, core::EventKind missing) {
  core::Engine* engine = host->engine();
  const uint64_t id = session_id_;
  engine->Post([engine, id, action = std::move(action), request_id, missing] {
    core::Session* session = engine->FindSession(id);
    if (session != nullptr) {
      action(session);
    } else if (request_id != 0) {
      // The session closed and was forgotten: the request still gets its final event.
      engine->sink()->Deliver(NoSessionEvent(request_id, missing));
    }
  });
}

Napi::Value SessionHandle::Connect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SessionHandle* self = Self(info);
  uint64_t request_id = 0;
  std::shared_ptr<EngineHost> host;
  if (self == nullptr ||
      !(host = self->Prepare(info, "connect(requestId, options)", true, &request_id))) {
    return env.Undefined();
  }
  if (self->connect_started_) {
    Napi::Error::New(env, "connect() was already called on this handle").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto request = std::make_shared<core::ConnectRequest>();
  if (!ConnectRequestFromJs(env, info[1].As<Napi::Object>(), request.get())) return env.Undefined();
  self->connect_started_ = true;
  host->BeginRequest(env);
  core::Engine* engine = host->engine();
  const uint64_t id = self->session_id_;
  engine->Post([engine, id, request_id, request] {
    core::Session* session = engine->CreateSession(id);
    if (session == nullptr) {
      engine->sink()->Deliver(NoSessionEvent(request_id, core::EventKind::kConnected));
      return;
    }
    session->Connect(request_id, std::move(*request));
  });
  return env.Undefined();
}

Napi::Value SessionHandle::Exec(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SessionHandle* self = Self(info);
  uint64_t request_id = 0;
  std::shared_ptr<EngineHost> host;
  if (self == nullptr ||
      !(host = self->Prepare(info, "exec(requestId, options)", true, &request_id))) {
    return env.Undefined();
  }
  auto request = std::make_shared<core::ExecRequest>();
  if (!ExecRequestFromJs(env, info[1].As<Napi::Object>(), request.get())) return env.Undefined();
  host->BeginRequest(env);
  self->PostToSession(
      host.get(),
      [request_id, request](core::Session* session) {
        session->Exec(request_id, std::move(*request));
      },
      request_id, core::EventKind::kExecDone);
  return env.Undefined();
}

// hostKeyVerdict(accept, code?, message?): JavaScript's answer to a hostkey event.
Napi::Value SessionHandle::HostKeyVerdict(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SessionHandle* self = Self(info);
  if (self == nullptr) return env.Undefined();
  if (info.Length() < 1 || !info[0].IsBoolean()) {
    Napi::TypeError::New(env, "hostKeyVerdict(accept, code?, message?): accept must be a boolean")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const bool accept = info[0].As<Napi::Boolean>().Value();
  core::Error refusal;
  refusal.level = core::codes::kLevelHostKey;
  refusal.code = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value()
                                                         : core::codes::kHostKeyMismatch;
  refusal.message = info.Length() > 2 && info[2].IsString()
                        ? info[2].As<Napi::String>().Utf8Value()
                        : "Host key error: the host key was refused";
  std::shared_ptr<EngineHost> host = self->LockHost(env);
  if (!host) return env.Undefined();
  self->PostToSession(
      host.get(),
      [accept, refusal](core::Session* session) { session->HostKeyVerdict(accept, refusal); }, 0,
      core::EventKind::kConnected);
  return env.Undefined();
}

// hostKeyRecheck(knownHostsText): the known_hosts file as re-read under its lock, for a new host
// that accept-new is about to record.
Napi::Value SessionHandle::HostKeyRecheck(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SessionHandle* self = Self(info);
  if (self == nullptr) return env.Undefined();
  if (info.Length() < 1 || !info[0].IsBuffer()) {
    Napi::TypeError::New(env, "hostKeyRecheck(knownHostsText): knownHostsText must be a Buffer")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Buffer<char> buffer = info[0].As<Napi::Buffer<char>>();
  auto text = std::make_shared<std::string>(buffer.Data(), buffer.Length());
  std::shared_ptr<EngineHost> host = self->LockHost(env);
  if (!host) return env.Undefined();
  self->PostToSession(
      host.get(),
      [text](core::Session* session) { session->HostKeyRecheck(std::move(*text)); }, 0,
      core::EventKind::kConnected);
  return env.Undefined();
}

// cancelExec(requestId, code, message): settles a command now (TIMEOUT, ABORTED).
Napi::Value SessionHandle::CancelExec(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SessionHandle* self = Self(info);
  uint64_t request_id = 0;
  std::shared_ptr<EngineHost> host;
  if (self == nullptr ||
      !(host = self->Prepare(info, "cancelExec(requestId, code, message)", false, &request_id))) {
    return env.Undefined();
  }
  if (info.Length() < 3 || !info[1].IsString() || !info[2].IsString()) {
    Napi::TypeError::New(env, "cancelExec(requestId, code, message): code and message are strings")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  core::Error error;
  error.code = info[1].As<Napi::String>().Utf8Value();
  error.level = error.code == core::codes::kTimeout ? core::codes::kLevelTimeout : core::codes::kLevelChannel;
  error.message = info[2].As<Napi::String>().Utf8Value();
  self->PostToSession(
      host.get(),
      [request_id, error](core::Session* session) { session->CancelExec(request_id, error); }, 0,
      core::EventKind::kExecDone);
  return env.Undefined();
}

// ackExec(requestId, bytes): streamed output was consumed; reading may resume.
Napi::Value SessionHandle::AckExec(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SessionHandle* self = Self(info);
  uint64_t request_id = 0;
  std::shared_ptr<EngineHost> host;
  if (self == nullptr ||
      !(host = self->Prepare(info, "ackExec(requestId, bytes)", false, &request_id))) {
    return env.Undefined();
  }
  if (info.Length() < 2 || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "ackExec(requestId, bytes): bytes must be a number")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const uint64_t bytes = static_cast<uint64_t>(info[1].As<Napi::Number>().DoubleValue());
  self->PostToSession(
      host.get(),
      [request_id, bytes](core::Session* session) { session->AckExec(request_id, bytes); }, 0,
      core::EventKind::kExecDone);
  return env.Undefined();
}

// stopExec(requestId): JavaScript stopped reading a streamed command: TERM, close, settle.
Napi::Value SessionHandle::StopExec(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SessionHandle* self = Self(info);
  uint64_t request_id = 0;
  std::shared_ptr<EngineHost> host;
  if (self == nullptr || !(host = self->Prepare(info, "stopExec(requestId)", false, &request_id))) {
    return env.Undefined();
  }
  self->PostToSession(
      host.get(), [request_id](core::Session* session) { session->StopExec(request_id); }, 0,
      core::EventKind::kExecDone);
  return env.Undefined();
}

// writeStdin(requestId, bytes): a piece of a command's streamed stdin (copied here; the channel
// acknowledges it with a `stdin` event once taken).
Napi::Value SessionHandle::WriteStdin(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SessionHandle* self = Self(info);
  uint64_t request_id = 0;
  std::shared_ptr<EngineHost> host;
  if (self == nullptr ||
      !(host = self->Prepare(info, "writeStdin(requestId, bytes)", false, &request_id))) {
    return env.Undefined();
  }
  if (info.Length() < 2 || !info[1].IsBuffer()) {
    Napi::TypeError::New(env, "writeStdin(requestId, bytes): bytes must be a Buffer")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto buffer = info[1].As<Napi::Buffer<uint8_t>>();
  auto bytes = std::make_shared<std::vector<uint8_t>>(buffer.Data(), buffer.Data() + buffer.Length());
  self->PostToSession(
      host.get(),
      [request_id, bytes](core::Session* session) {
        session->WriteStdin(request_id, std::move(*bytes));
      },
      0, core::EventKind::kExecDone);
  return env.Undefined();
}

// endStdin(requestId): no more stdin: EOF goes out once what was written has been sent.
Napi::Value SessionHandle::EndStdin(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SessionHandle* self = Self(info);
  uint64_t request_id = 0;
  std::shared_ptr<EngineHost> host;
  if (self == nullptr || !(host = self->Prepare(info, "endStdin(requestId)", false, &request_id))) {
    return env.Undefined();
  }
  self->PostToSession(
      host.get(), [request_id](core::Session* session) { session->EndStdin(request_id); }, 0,
      core::EventKind::kExecDone);
  return env.Undefined();
}

Napi::Value SessionHandle::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SessionHandle* self = Self(info);
  uint64_t request_id = 0;
  std::shared_ptr<EngineHost> host;
  if (self == nullptr || !(host = self->Prepare(info, "close(requestId)", false, &request_id))) {
    return env.Undefined();
  }
  self->close_posted_ = true;
  host->BeginRequest(env);
  self->PostToSession(
      host.get(), [request_id](core::Session* session) { session->Close(request_id); },
      request_id, core::EventKind::kClosed);
  return env.Undefined();
}

}  // namespace native_ssh::binding
