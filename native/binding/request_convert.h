// JavaScript request options (lib/native.ts: RawConnectOptions, RawExecOptions,
// RawSftpOptions) as the core's
// requests. Inputs were validated by the TypeScript layer; these checks only stop a misuse of the
// raw binding (a TypeError, never a crash). Secrets are read straight into core::Secret.
// JavaScript thread only.
#ifndef NATIVE_SSH_BINDING_REQUEST_CONVERT_H_
#define NATIVE_SSH_BINDING_REQUEST_CONVERT_H_

#include <napi.h>

#include "core/messages.h"

namespace native_ssh::binding {

// Return false (with a pending JavaScript TypeError) when `options` has the wrong shape.
bool ConnectRequestFromJs(Napi::Env env, Napi::Object options, core::ConnectRequest* out);
bool ExecRequestFromJs(Napi::Env env, Napi::Object options, core::ExecRequest* out);
bool SftpRequestFromJs(Napi::Env env, Napi::Object options, core::SftpRequest* out);

}  // namespace native_ssh::binding

#endif  // NATIVE_SSH_BINDING_REQUEST_CONVERT_H_
