#include "event_convert.h"

#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

namespace native_ssh::binding {

namespace {

const char* KindName(core::EventKind kind) {
  switch (kind) {
    case core::EventKind::kConnected: return "connected";
    case core::EventKind::kHostKey: return "hostkey";
    case core::EventKind::kExecDone: return "exec";
    case core::EventKind::kExecData: return "data";
    case core::EventKind::kExecStdin: return "stdin";
    case core::EventKind::kClosed: return "closed";
    case core::EventKind::kNotice: return "notice";
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

bool Fail(Napi::Env env, const std::string& message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return false;
}

bool ReadString(Napi::Env env, Napi::Object object, const char* key, std::string* out,
                bool required) {
  Napi::Value value = object.Get(key);
  if (value.IsUndefined() || value.IsNull()) {
    if (required) return Fail(env, std::string("native: ") + key + " is required");
    return true;
  }
  if (value.IsString()) {
    *out = value.As<Napi::String>().Utf8Value();
    return true;
  }
  if (value.IsBuffer()) {
    auto buffer = value.As<Napi::Buffer<char>>();
    out->assign(buffer.Data(), buffer.Length());
    return true;
  }
  return Fail(env, std::string("native: ") + key + " must be a string or Buffer");
}

// A JavaScript string or Buffer read straight into a Secret: napi_get_value_string_utf8 writes
// the UTF-8 bytes into the Secret's own buffer, so no std::string temporary (Utf8Value) is left to
// be freed without zeroing. V8's string itself is the caller's.
bool SecretFromValue(Napi::Env env, Napi::Value value, core::Secret* out) {
  if (value.IsBuffer()) {
    auto buffer = value.As<Napi::Buffer<char>>();
    core::Secret secret = core::Secret::Zeroed(buffer.Length());
    if (buffer.Length() != 0) std::memcpy(secret.data(), buffer.Data(), buffer.Length());
    *out = std::move(secret);
    return true;
  }
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, nullptr, 0, &length) != napi_ok) return false;
  core::Secret secret = core::Secret::Zeroed(length + 1);  // the terminating NUL napi writes
  size_t written = 0;
  if (napi_get_value_string_utf8(env, value, secret.data(), length + 1, &written) != napi_ok) {
    return false;
  }
  secret.Truncate(written);
  *out = std::move(secret);
  return true;
}

bool ReadSecret(Napi::Env env, Napi::Object object, const char* key, core::Secret* out) {
  Napi::Value value = object.Get(key);
  if (value.IsUndefined() || value.IsNull()) return true;
  if (!value.IsString() && !value.IsBuffer()) {
    return Fail(env, std::string("native: ") + key + " must be a string or Buffer");
  }
  if (!SecretFromValue(env, value, out)) return Fail(env, std::string("native: cannot read ") + key);
  return true;
}

bool ReadAddresses(Napi::Env env, Napi::Object object, const char* key,
                   std::vector<core::Address>* out) {
  Napi::Value value = object.Get(key);
  if (!value.IsArray()) return Fail(env, std::string("native: ") + key + " must be an array");
  Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value item = array.Get(i);
    if (!item.IsObject()) return Fail(env, std::string("native: ") + key + " entries must be objects");
    core::Address address;
    if (!ReadString(env, item.As<Napi::Object>(), "address", &address.ip, true)) return false;
    Napi::Value family = item.As<Napi::Object>().Get("family");
    address.family = family.IsNumber() && family.As<Napi::Number>().Int32Value() == 6 ? 6 : 4;
    out->push_back(std::move(address));
  }
  return true;
}

uint32_t ReadUint(Napi::Object object, const char* key, uint32_t fallback) {
  Napi::Value value = object.Get(key);
  if (!value.IsNumber()) return fallback;
  double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= 0) || number > 4294967295.0) return fallback;
  return static_cast<uint32_t>(number);
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
    result.Set("error", error);
  }
  if (!event.info.empty()) {
    Napi::Object info = Napi::Object::New(env);
    for (const auto& entry : event.info) info.Set(entry.first, entry.second);
    result.Set("info", info);
  }
  if (event.kind == core::EventKind::kExecDone && event.ok) {
    result.Set("stdout", TakeBuffer(env, std::move(event.out)));
    result.Set("stderr", TakeBuffer(env, std::move(event.err)));
    if (event.has_exit_status) result.Set("exitStatus", event.exit_status);
    if (!event.exit_signal.empty()) result.Set("exitSignal", event.exit_signal);
    if (event.out_truncated) result.Set("stdoutTruncated", true);
    if (event.err_truncated) result.Set("stderrTruncated", true);
    if (event.cancelled) result.Set("cancelled", true);
  }
  if (event.kind == core::EventKind::kExecStdin) {
    result.Set("bytes", static_cast<double>(event.stdin_taken));
  }
  if (event.kind == core::EventKind::kExecData) {
    result.Set("stream", event.stream_index == 0 ? "stdout" : "stderr");
    result.Set("data", TakeBuffer(env, std::move(event.stream_index == 0 ? event.out : event.err)));
  }
  return result;
}

bool ConnectRequestFromJs(Napi::Env env, Napi::Object options, core::ConnectRequest* out) {
  if (!ReadString(env, options, "host", &out->host, true)) return false;
  if (!ReadAddresses(env, options, "addresses", &out->addresses)) return false;
  uint32_t port = ReadUint(options, "port", 0);
  if (port == 0 || port > 65535) return Fail(env, "native: port must be 1..65535");
  out->port = static_cast<uint16_t>(port);
  if (!ReadString(env, options, "username", &out->username, true)) return false;
  out->connect_timeout_ms = ReadUint(options, "connectTimeoutMs", core::codes::kConnectTimeoutMs);
  out->connect_timeout_total_ms = ReadUint(options, "connectTimeoutTotalMs", out->connect_timeout_ms);
  Napi::Value deadline = options.Get("connectDeadlineHrMs");
  if (deadline.IsNumber()) {
    const double ms = deadline.As<Napi::Number>().DoubleValue();
    if (ms > 0 && ms < 9.0e15) out->connect_deadline_hr_ms = static_cast<uint64_t>(ms);
  }
  out->want_host_key_verdict = options.Get("wantHostKeyVerdict").ToBoolean().Value();
  out->keepalive_interval_ms = ReadUint(options, "keepaliveIntervalMs", 0);
  {
    Napi::Value notices = options.Get("noticeRequestId");
    if (notices.IsNumber()) {
      const double id = notices.As<Napi::Number>().DoubleValue();
      if (id >= 1 && id < 9.0e15) out->notice_request_id = static_cast<uint64_t>(id);
    }
  }
  out->debug = options.Get("debug").ToBoolean().Value();
  Napi::Value algorithms_value = options.Get("algorithms");
  if (algorithms_value.IsObject()) {
    Napi::Object algorithms = algorithms_value.As<Napi::Object>();
    if (!ReadString(env, algorithms, "kex", &out->kex_algorithms, false) ||
        !ReadString(env, algorithms, "cipher", &out->ciphers, false) ||
        !ReadString(env, algorithms, "mac", &out->macs, false) ||
        !ReadString(env, algorithms, "hostKey", &out->host_key_algorithms, false)) {
      return false;
    }
  }
  Napi::Value host_key_value = options.Get("hostKey");
  if (host_key_value.IsObject()) {
    Napi::Object host_key = host_key_value.As<Napi::Object>();
    std::string policy;
    if (!ReadString(env, host_key, "policy", &policy, true)) return false;
    if (policy == "strict") {
      out->host_key.policy = core::HostKeyPolicy::kStrict;
    } else if (policy == "accept-new") {
      out->host_key.policy = core::HostKeyPolicy::kAcceptNew;
    } else if (policy == "off") {
      out->host_key.policy = core::HostKeyPolicy::kOff;
    } else {
      return Fail(env, "native: hostKey.policy must be strict, accept-new or off");
    }
    if (!ReadString(env, host_key, "knownHostsText", &out->host_key.known_hosts_text, false)) return false;
    if (!ReadString(env, host_key, "knownHostsPath", &out->host_key.known_hosts_path, false)) return false;
    if (!ReadString(env, host_key, "fingerprint", &out->host_key.pinned_fingerprint, false)) return false;
    out->host_key.record_new = host_key.Get("recordNew").ToBoolean().Value();
    out->host_key.hash_new = host_key.Get("hashNew").ToBoolean().Value();
  } else {
    out->host_key.policy = core::HostKeyPolicy::kOff;
  }

  Napi::Value auth_value = options.Get("auth");
  if (!auth_value.IsObject()) return Fail(env, "native: auth must be an object");
  Napi::Object auth = auth_value.As<Napi::Object>();
  std::string type;
  if (!ReadString(env, auth, "type", &type, true)) return false;
  if (type == "password") {
    out->auth.type = core::AuthType::kPassword;
  } else if (type == "private_key") {
    out->auth.type = core::AuthType::kPrivateKey;
  } else if (type == "agent") {
    out->auth.type = core::AuthType::kAgent;
  } else if (type == "keyboard_interactive") {
    out->auth.type = core::AuthType::kKeyboardInteractive;
  } else {
    return Fail(env, "native: unknown auth type");
  }
  if (!ReadSecret(env, auth, "password", &out->auth.password)) return false;
  if (!ReadSecret(env, auth, "privateKey", &out->auth.private_key)) return false;
  if (!ReadSecret(env, auth, "passphrase", &out->auth.passphrase)) return false;
  if (!ReadString(env, auth, "publicKey", &out->auth.public_key, false)) return false;
  if (!ReadString(env, auth, "agentSocket", &out->auth.agent_socket, false)) return false;
  Napi::Value responses = auth.Get("responses");
  if (responses.IsArray()) {
    Napi::Array array = responses.As<Napi::Array>();
    // Reserved first: a growing vector would move the answers around (Secret's move zeroes the
    // source, but one allocation is simpler).
    out->auth.responses.reserve(array.Length());
    for (uint32_t i = 0; i < array.Length(); ++i) {
      Napi::Value item = array.Get(i);
      if (!item.IsString()) return Fail(env, "native: responses must be strings");
      out->auth.responses.emplace_back();
      if (!SecretFromValue(env, item, &out->auth.responses.back())) {
        return Fail(env, "native: cannot read responses");
      }
    }
  }

  Napi::Value proxy_value = options.Get("proxy");
  if (proxy_value.IsObject()) {
    Napi::Object proxy = proxy_value.As<Napi::Object>();
    std::string kind;
    if (!ReadString(env, proxy, "type", &kind, true)) return false;
    if (kind == "socks4") {
      out->proxy.kind = core::ProxyKind::kSocks4;
    } else if (kind == "socks5") {
      out->proxy.kind = core::ProxyKind::kSocks5;
    } else if (kind == "http") {
      out->proxy.kind = core::ProxyKind::kHttp;
    } else {
      return Fail(env, "native: unknown proxy type");
    }
    if (!ReadAddresses(env, proxy, "addresses", &out->proxy.addresses)) return false;
    uint32_t proxy_port = ReadUint(proxy, "port", 0);
    if (proxy_port == 0 || proxy_port > 65535) return Fail(env, "native: proxy port must be 1..65535");
    out->proxy.port = static_cast<uint16_t>(proxy_port);
    Napi::Value login = proxy.Get("login");
    out->proxy.has_login = login.IsString();
    if (!ReadString(env, proxy, "login", &out->proxy.login, false)) return false;
    Napi::Value password = proxy.Get("password");
    out->proxy.has_password = password.IsString();
    if (!ReadSecret(env, proxy, "password", &out->proxy.password)) return false;
  }
  return true;
}

bool ExecRequestFromJs(Napi::Env env, Napi::Object options, core::ExecRequest* out) {
  if (!ReadString(env, options, "command", &out->command, true)) return false;
  Napi::Value input = options.Get("stdin");
  if (input.IsBuffer()) {
    auto buffer = input.As<Napi::Buffer<uint8_t>>();
    out->stdin_data.assign(buffer.Data(), buffer.Data() + buffer.Length());
  } else if (!input.IsUndefined() && !input.IsNull()) {
    return Fail(env, "native: stdin must be a Buffer");
  }
  out->timeout_ms = ReadUint(options, "timeoutMs", 0);
  out->max_stdout = ReadUint(options, "maxStdout", 0);
  out->max_stderr = ReadUint(options, "maxStderr", 0);
  out->stream = options.Get("stream").ToBoolean().Value();
  out->stdin_stream = options.Get("stdinStream").ToBoolean().Value();
  Napi::Value env_value = options.Get("env");
  if (env_value.IsObject()) {
    Napi::Object vars = env_value.As<Napi::Object>();
    Napi::Array names = vars.GetPropertyNames();
    for (uint32_t i = 0; i < names.Length(); ++i) {
      Napi::Value name = names.Get(i);
      Napi::Value value = vars.Get(name);
      if (!value.IsString()) return Fail(env, "native: env values must be strings");
      out->env.emplace_back(name.ToString().Utf8Value(), value.As<Napi::String>().Utf8Value());
    }
  }
  Napi::Value pty = options.Get("pty");
  if (pty.IsObject()) {
    Napi::Object p = pty.As<Napi::Object>();
    out->pty = true;
    if (!ReadString(env, p, "term", &out->term, false)) return false;
    out->cols = ReadUint(p, "cols", core::codes::kPtyCols);
    out->rows = ReadUint(p, "rows", core::codes::kPtyRows);
  }
  return true;
}

}  // namespace native_ssh::binding
