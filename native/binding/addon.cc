#include "binding/addon.h"

#include <string>

#include "binding/event_convert.h"
#include "binding/session_handle.h"

#ifndef NATIVE_SSH_VERSION
#define NATIVE_SSH_VERSION "0.0.0"
#endif

namespace native_ssh::binding {

NativeSshAddon::NativeSshAddon(Napi::Env env, Napi::Object exports)
    : host_(std::make_shared<EngineHost>()) {
  DefineAddon(exports, {
                           InstanceMethod("init", &NativeSshAddon::Initialize),
                           InstanceMethod("versions", &NativeSshAddon::Versions),
                           InstanceMethod("shutdown", &NativeSshAddon::Shutdown),
                       });
  exports.Set("SessionHandle", SessionHandle::Define(env));
}

NativeSshAddon::~NativeSshAddon() { host_->Stop(); }

Napi::Value NativeSshAddon::Initialize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) {
    Napi::TypeError::New(env, "init(dispatch): dispatch must be a function")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (!host_->started()) host_->Start(env, info[0].As<Napi::Function>());
  return env.Undefined();
}

// shutdown(): closes every session and joins the engine thread now. lib/native.ts calls it from
// process.on('exit'): process.exit() runs no environment cleanup before the C library's atexit
// handlers, so an engine still working would race libcrypto's cleanup.
Napi::Value NativeSshAddon::Shutdown(const Napi::CallbackInfo& info) {
  host_->Stop();
  return info.Env().Undefined();
}

Napi::Value NativeSshAddon::Versions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const core::Engine::LibraryVersions versions = core::Engine::Versions();
  Napi::Object result = Napi::Object::New(env);
  result.Set("libssh2", versions.libssh2);
  result.Set("openssl", versions.openssl);
  result.Set("opensslDir", versions.openssl_dir);
  result.Set("addon", NATIVE_SSH_VERSION);
  return result;
}

// ---- EngineHost ----------------------------------------------------------------------------

EngineHost::~EngineHost() { Stop(); }

void EngineHost::Start(Napi::Env env, Napi::Function dispatch) {
  tsfn_ = Tsfn::New(env, dispatch, "native-ssh events", 0, 1, this);
  // Idle connections must not keep the process alive: the function is referenced only while a
  // request is pending.
  tsfn_.Unref(env);
  engine_ = std::make_unique<core::Engine>(this);
}

void EngineHost::BeginRequest(Napi::Env env) {
  if (pending_++ == 0) tsfn_.Ref(env);
}

void EngineHost::Deliver(core::Event event) {
  auto* copy = new core::Event(std::move(event));
  if (tsfn_.NonBlockingCall(copy) != napi_ok) delete copy;
}

void EngineHost::CallJs(Napi::Env env, Napi::Function dispatch, EngineHost* host,
                        core::Event* event) {
  std::unique_ptr<core::Event> owned(event);
  if (env == nullptr || dispatch.IsEmpty() || host == nullptr) return;
  // Notices answer no request: they neither keep the process alive nor settle anything.
  if (owned->final && !owned->notice && host->pending_ > 0 && --host->pending_ == 0) {
    host->tsfn_.Unref(env);
  }
  const double request_id = static_cast<double>(owned->request_id);
  Napi::Value payload = EventToJs(env, std::move(*owned));
  dispatch.Call({Napi::Number::New(env, request_id), payload});
}

void EngineHost::Stop() {
  if (engine_) {
    engine_.reset();  // closes every session and joins the engine thread
    tsfn_.Release();
  }
}

}  // namespace native_ssh::binding

using native_ssh::binding::NativeSshAddon;
NODE_API_ADDON(NativeSshAddon)
