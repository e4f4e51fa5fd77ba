// An engine event as the JavaScript object lib/native.ts declares (RawEvent): the output bytes
// handed over without a copy where the runtime allows it.
// JavaScript thread only.
#ifndef NATIVE_SSH_BINDING_EVENT_CONVERT_H_
#define NATIVE_SSH_BINDING_EVENT_CONVERT_H_

#include <napi.h>

#include "core/messages.h"

namespace native_ssh::binding {

Napi::Value EventToJs(Napi::Env env, core::Event event);

}  // namespace native_ssh::binding

#endif  // NATIVE_SSH_BINDING_EVENT_CONVERT_H_
