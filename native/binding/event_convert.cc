#include "binding/event_convert.h"

#include <cstdlib>
#include <utility>

namespace native_ssh::binding {

namespace {

const char* KindName(core::EventKind kind) {
  switch (kind) {
    case core::EventKind::kConnected: return "connected";
    case core::EventKind::kHostKey: return "hostkey";
    case core::EventKind::kExecFinished: return "finished";
    case core::EventKind::kExecData: return "data";
    case core::EventKind::kExecStdin: return "stdin";
    case core::EventKind::kClosed: return "closed";
    case core::EventKind::kNotice: return "notice";
    case core::EventKind::kSftp: return "sftp";
  }
  return "unknown";
}

Napi::Buffer<char> TakeBuffer(Napi::Env env, core::ByteBuffer&& bytes) {
  if (bytes.empty()) return Napi::Buffer<char>::New(env, 0);
  const size_t size = bytes.size();
  char* owned = bytes.Release();
  // Zero-copy where the runtime allows external buffers; a copy (then freed) otherwise.
  return Napi::Buffer<char>::NewOrCopy(env, owned, size,
                                       [](Napi::Env, char* data) { std::free(data); });
}

Napi::Object AttrsToJs(Napi::Env env, const core::SftpAttrs& attrs) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("size", static_cast<double>(attrs.size));
  object.Set("uid", attrs.uid);
  object.Set("gid", attrs.gid);
  object.Set("mode", attrs.mode);
  object.Set("atime", attrs.atime);
  object.Set("mtime", attrs.mtime);
  return object;
}

void SftpResultToJs(Napi::Env env, core::Event& event, Napi::Object result) {
  if (event.has_attrs) result.Set("attrs", AttrsToJs(env, event.attrs));
  if (!event.text.empty()) result.Set("path", event.text);
  if (!event.entries.empty()) {
    Napi::Array entries = Napi::Array::New(env, event.entries.size());
    for (uint32_t i = 0; i < event.entries.size(); ++i) {
      Napi::Object entry = AttrsToJs(env, event.entries[i].attrs);
      entry.Set("name", Napi::Buffer<char>::Copy(env, event.entries[i].name.data(),
                                                 event.entries[i].name.size()));
      entries.Set(i, entry);
    }
    result.Set("entries", entries);
  }
  if (!event.out.empty()) result.Set("data", TakeBuffer(env, std::move(event.out)));
}

}  // namespace

Napi::Value EventToJs(Napi::Env env, core::Event event) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("kind", KindName(event.kind));
  result.Set("final", event.final);
  result.Set("ok", event.ok);
  if (!event.ok) {
    Napi::Object error = Napi::Object::New(env);
    error.Set("code", event.error.code);
    error.Set("level", event.error.level);
    error.Set("message", event.error.message);
    if (event.error.ssh_errno != 0) error.Set("errno", event.error.ssh_errno);
    if (event.error.sftp_status >= 0) {
      Napi::Object status = Napi::Object::New(env);
      status.Set("name", event.error.sftp_status_name);
      status.Set("number", event.error.sftp_status);
      error.Set("sftpStatus", status);
    }
    result.Set("error", error);
  }
  if (!event.info.empty()) {
    Napi::Object info = Napi::Object::New(env);
    for (const auto& entry : event.info) info.Set(entry.first, entry.second);
    result.Set("info", info);
  }
  if (event.kind == core::EventKind::kExecFinished && event.ok) {
    result.Set("stdout", TakeBuffer(env, std::move(event.out)));
    result.Set("stderr", TakeBuffer(env, std::move(event.err)));
    if (event.has_exit_status) result.Set("exitStatus", event.exit_status);
    if (!event.exit_signal.empty()) result.Set("exitSignal", event.exit_signal);
    if (event.out_truncated) result.Set("stdoutTruncated", true);
    if (event.err_truncated) result.Set("stderrTruncated", true);
    if (event.cancelled) result.Set("cancelled", true);
  }
  if (event.kind == core::EventKind::kSftp && event.ok) SftpResultToJs(env, event, result);
  if (event.kind == core::EventKind::kExecStdin) {
    result.Set("bytes", static_cast<double>(event.stdin_taken));
  }
  if (event.kind == core::EventKind::kExecData) {
    result.Set("stream", event.stream_index == 0 ? "stdout" : "stderr");
    result.Set("data", TakeBuffer(env, std::move(event.stream_index == 0 ? event.out : event.err)));
  }
  return result;
}

}  // namespace native_ssh::binding
