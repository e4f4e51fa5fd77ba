#include "binding/session_handle.h"

#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "binding/addon.h"
#include "binding/request_convert.h"

namespace native_ssh::binding {

namespace {

// Random tag generated once for this project (napi_type_tag): marks objects made by this class.
constexpr napi_type_tag kSessionHandleTag = {0x6e7373685f736573ULL, 0x9b2f4c1d7a03e5b1ULL};

std::atomic<uint64_t> next_session_id{1};

std::string StringArg(const Napi::CallbackInfo& info, size_t index) {
  return info.Length() > index && info[index].IsString()
             ? info[index].As<Napi::String>().Utf8Value()
             : std::string();
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
                         InstanceMethod("sftpOpen", &SessionHandle::SftpOpen),
                         InstanceMethod("sftpOp", &SessionHandle::SftpOp),
                         InstanceMethod("sftpClose", &SessionHandle::SftpClose),
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
  if (host && host->started()) host->engine()->Close(session_id_, 0);
}

// ---- the shape of a method ---------------------------------------------------------------------

core::Engine* SessionHandle::Call::engine() const { return host->engine(); }

bool SessionHandle::Call::Reject(const char* what) const {
  Napi::TypeError::New(info.Env(), std::string(usage) + ": " + what).ThrowAsJavaScriptException();
  return false;
}

Napi::Value SessionHandle::Run(const Napi::CallbackInfo& info, const char* usage, Takes takes,
                               const std::function<void(const Call&)>& send) {
  Napi::Env env = info.Env();
  SessionHandle* self = Self(info);
  if (self == nullptr) return env.Undefined();
  Call call{info, usage, self, nullptr, 0};
  if (takes != Takes::kNothing && !ReadRequestId(info, &call.request_id)) return env.Undefined();
  if (takes == Takes::kRequestIdAndOptions && (info.Length() < 2 || !info[1].IsObject())) {
    call.Reject("options must be an object");
    return env.Undefined();
  }
  std::shared_ptr<EngineHost> host = self->LockHost(env);
  if (!host) return env.Undefined();
  call.host = host.get();
  send(call);
  return env.Undefined();
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

std::shared_ptr<EngineHost> SessionHandle::LockHost(Napi::Env env) {
  std::shared_ptr<EngineHost> host = host_.lock();
  if (!host || !host->started()) {
    Napi::Error::New(env, "native-ssh: the engine is not running (init() was not called)")
        .ThrowAsJavaScriptException();
    return nullptr;
  }
  return host;
}

// ---- the methods ---------------------------------------------------------------------------

Napi::Value SessionHandle::Connect(const Napi::CallbackInfo& info) {
  return Run(info, "connect(requestId, options)", Takes::kRequestIdAndOptions, [](const Call& c) {
    if (c.self->connect_started_) {
      Napi::Error::New(c.info.Env(), "connect() was already called on this handle")
          .ThrowAsJavaScriptException();
      return;
    }
    core::ConnectRequest request;
    if (!ConnectRequestFromJs(c.info.Env(), c.info[1].As<Napi::Object>(), &request)) return;
    c.self->connect_started_ = true;
    c.host->BeginRequest(c.info.Env());
    c.engine()->Connect(c.session(), c.request_id, std::move(request));
  });
}

Napi::Value SessionHandle::Exec(const Napi::CallbackInfo& info) {
  return Run(info, "exec(requestId, options)", Takes::kRequestIdAndOptions, [](const Call& c) {
    core::ExecRequest request;
    if (!ExecRequestFromJs(c.info.Env(), c.info[1].As<Napi::Object>(), &request)) return;
    c.host->BeginRequest(c.info.Env());
    c.engine()->Exec(c.session(), c.request_id, std::move(request));
  });
}

// hostKeyVerdict(accept, code?, message?): JavaScript's answer to a hostkey event.
Napi::Value SessionHandle::HostKeyVerdict(const Napi::CallbackInfo& info) {
  return Run(info, "hostKeyVerdict(accept, code?, message?)", Takes::kNothing, [](const Call& c) {
    if (c.info.Length() < 1 || !c.info[0].IsBoolean()) {
      c.Reject("accept must be a boolean");
      return;
    }
    c.engine()->HostKeyVerdict(c.session(), c.info[0].As<Napi::Boolean>().Value(),
                               StringArg(c.info, 1), StringArg(c.info, 2));
  });
}

// hostKeyRecheck(knownHostsText): the known_hosts file as re-read under its lock, for a new host
// that accept-new is about to record.
Napi::Value SessionHandle::HostKeyRecheck(const Napi::CallbackInfo& info) {
  return Run(info, "hostKeyRecheck(knownHostsText)", Takes::kNothing, [](const Call& c) {
    if (c.info.Length() < 1 || !c.info[0].IsBuffer()) {
      c.Reject("knownHostsText must be a Buffer");
      return;
    }
    Napi::Buffer<char> buffer = c.info[0].As<Napi::Buffer<char>>();
    c.engine()->HostKeyRecheck(c.session(), std::string(buffer.Data(), buffer.Length()));
  });
}

// cancelExec(requestId, code, message): settles a command now (TIMEOUT, ABORTED).
Napi::Value SessionHandle::CancelExec(const Napi::CallbackInfo& info) {
  return Run(info, "cancelExec(requestId, code, message)", Takes::kRequestId, [](const Call& c) {
    if (c.info.Length() < 3 || !c.info[1].IsString() || !c.info[2].IsString()) {
      c.Reject("code and message are strings");
      return;
    }
    c.engine()->CancelExec(c.session(), c.request_id, StringArg(c.info, 1), StringArg(c.info, 2));
  });
}

// ackExec(requestId, bytes): streamed output was consumed; reading may resume.
Napi::Value SessionHandle::AckExec(const Napi::CallbackInfo& info) {
  return Run(info, "ackExec(requestId, bytes)", Takes::kRequestId, [](const Call& c) {
    if (c.info.Length() < 2 || !c.info[1].IsNumber()) {
      c.Reject("bytes must be a number");
      return;
    }
    const auto bytes = static_cast<uint64_t>(c.info[1].As<Napi::Number>().DoubleValue());
    c.engine()->AckExec(c.session(), c.request_id, bytes);
  });
}

// stopExec(requestId): JavaScript stopped reading a streamed command: TERM, close, settle.
Napi::Value SessionHandle::StopExec(const Napi::CallbackInfo& info) {
  return Run(info, "stopExec(requestId)", Takes::kRequestId,
             [](const Call& c) { c.engine()->StopExec(c.session(), c.request_id); });
}

// writeStdin(requestId, bytes): a piece of a command's streamed stdin (copied here; the channel
// acknowledges it with a `stdin` event once taken).
Napi::Value SessionHandle::WriteStdin(const Napi::CallbackInfo& info) {
  return Run(info, "writeStdin(requestId, bytes)", Takes::kRequestId, [](const Call& c) {
    if (c.info.Length() < 2 || !c.info[1].IsBuffer()) {
      c.Reject("bytes must be a Buffer");
      return;
    }
    auto buffer = c.info[1].As<Napi::Buffer<uint8_t>>();
    c.engine()->WriteStdin(c.session(), c.request_id,
                           std::vector<uint8_t>(buffer.Data(), buffer.Data() + buffer.Length()));
  });
}

// endStdin(requestId): no more stdin: EOF goes out once what was written has been sent.
Napi::Value SessionHandle::EndStdin(const Napi::CallbackInfo& info) {
  return Run(info, "endStdin(requestId)", Takes::kRequestId,
             [](const Call& c) { c.engine()->EndStdin(c.session(), c.request_id); });
}

// sftpOpen(requestId): an SFTP session on a channel of its own; a `sftp` event says it is ready.
Napi::Value SessionHandle::SftpOpen(const Napi::CallbackInfo& info) {
  return Run(info, "sftpOpen(requestId)", Takes::kRequestId, [](const Call& c) {
    c.host->BeginRequest(c.info.Env());
    c.engine()->SftpOpen(c.session(), c.request_id);
  });
}

// sftpOp(requestId, options): one operation on the SFTP session options.channel.
Napi::Value SessionHandle::SftpOp(const Napi::CallbackInfo& info) {
  return Run(info, "sftpOp(requestId, options)", Takes::kRequestIdAndOptions, [](const Call& c) {
    core::SftpRequest request;
    if (!SftpRequestFromJs(c.info.Env(), c.info[1].As<Napi::Object>(), &request)) return;
    c.host->BeginRequest(c.info.Env());
    c.engine()->SftpOp(c.session(), c.request_id, std::move(request));
  });
}

// sftpClose(requestId, channel): ends the SFTP session once its queued operations have ended.
Napi::Value SessionHandle::SftpClose(const Napi::CallbackInfo& info) {
  return Run(info, "sftpClose(requestId, channel)", Takes::kRequestId, [](const Call& c) {
    if (c.info.Length() < 2 || !c.info[1].IsNumber()) {
      c.Reject("channel must be a number");
      return;
    }
    core::SftpRequest request;
    request.op = core::SftpOp::kClose;
    request.channel_id = static_cast<uint64_t>(c.info[1].As<Napi::Number>().DoubleValue());
    c.host->BeginRequest(c.info.Env());
    c.engine()->SftpOp(c.session(), c.request_id, std::move(request));
  });
}

Napi::Value SessionHandle::Close(const Napi::CallbackInfo& info) {
  return Run(info, "close(requestId)", Takes::kRequestId, [](const Call& c) {
    c.self->close_posted_ = true;
    c.host->BeginRequest(c.info.Env());
    c.engine()->Close(c.session(), c.request_id);
  });
}

}  // namespace native_ssh::binding
