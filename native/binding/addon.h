// Per-environment state of the addon (Napi::Addon instance data, never statics: each
// worker_thread loads the addon again and gets its own engine). Owns the engine thread and the
// ThreadSafeFunction that brings its events back to JavaScript.
//
// Threads: constructed, called and destroyed on the JavaScript thread of its environment; the
// event sink's Deliver() is called on the engine thread.
#ifndef NATIVE_SSH_BINDING_ADDON_H_
#define NATIVE_SSH_BINDING_ADDON_H_

#include <napi.h>

#include <memory>

#include "core/engine.h"
#include "core/messages.h"

namespace native_ssh::binding {

class EngineHost;

class NativeSshAddon : public Napi::Addon<NativeSshAddon> {
 public:
  NativeSshAddon(Napi::Env env, Napi::Object exports);
  ~NativeSshAddon();

  // Shared with SessionHandle objects, which hold it weakly: a handle finalized after the
  // environment began tearing down finds it gone and does nothing.
  std::shared_ptr<EngineHost> host() { return host_; }

 private:
  // init(dispatch): starts the engine thread; every event goes to `dispatch`. (Named so because
  // Napi::Addon already has an Init.)
  Napi::Value Initialize(const Napi::CallbackInfo& info);
  Napi::Value Versions(const Napi::CallbackInfo& info);
  Napi::Value Shutdown(const Napi::CallbackInfo& info);

  std::shared_ptr<EngineHost> host_;
};

// The engine plus the JavaScript side of its event flow.
class EngineHost : public core::EventSink {
 public:
  EngineHost() = default;
  ~EngineHost() override;

  // JavaScript thread. `dispatch(requestId, event)` receives every event.
  void Start(Napi::Env env, Napi::Function dispatch);
  bool started() const { return engine_ != nullptr; }
  core::Engine* engine() { return engine_.get(); }

  // JavaScript thread: a request that will end with a final event has been posted.
  void BeginRequest(Napi::Env env);

  // Engine thread.
  void Deliver(core::Event event) override;

  void Stop();

 private:
  static void CallJs(Napi::Env env, Napi::Function dispatch, EngineHost* host, core::Event* event);

  using Tsfn = Napi::TypedThreadSafeFunction<EngineHost, core::Event, &EngineHost::CallJs>;
  Tsfn tsfn_;
  std::unique_ptr<core::Engine> engine_;
  size_t pending_ = 0;  // JavaScript thread
};

}  // namespace native_ssh::binding

#endif  // NATIVE_SSH_BINDING_ADDON_H_
