// Conversions between JavaScript values and the core's plain request/event types.
// JavaScript thread only. Inputs were validated by lib/settings.ts; these checks only stop a
// misuse of the raw binding (a TypeError, never a crash).
#ifndef NATIVE_SSH_BINDING_EVENT_CONVERT_H_
#define NATIVE_SSH_BINDING_EVENT_CONVERT_H_

#include <napi.h>

#include "../core/request.h"

namespace native_ssh::binding {

Napi::Value EventToJs(Napi::Env env, core::Event event);

// Returns false (with a pending JavaScript TypeError) when `options` has the wrong shape.
bool ConnectRequestFromJs(Napi::Env env, Napi::Object options, core::ConnectRequest* out);
bool ExecRequestFromJs(Napi::Env env, Napi::Object options, core::ExecRequest* out);

}  // namespace native_ssh::binding

#endif  // NATIVE_SSH_BINDING_EVENT_CONVERT_H_
