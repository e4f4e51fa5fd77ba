#include "binding/request_convert.h"

#include <cstring>
#include <string>
#include <utility>

namespace native_ssh::binding {

namespace {

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
  if (!SecretFromValue(env, value, out))
    return Fail(env, std::string("native: cannot read ") + key);
  return true;
}

bool ReadAddresses(Napi::Env env, Napi::Object object, const char* key,
                   std::vector<core::Address>* out) {
  Napi::Value value = object.Get(key);
  if (!value.IsArray()) return Fail(env, std::string("native: ") + key + " must be an array");
  Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value item = array.Get(i);
    if (!item.IsObject())
      return Fail(env, std::string("native: ") + key + " entries must be objects");
    core::Address address;
    if (!ReadString(env, item.As<Napi::Object>(), "address", &address.ip, true)) return false;
    Napi::Value family = item.As<Napi::Object>().Get("family");
    address.family = family.IsNumber() && family.As<Napi::Number>().Int32Value() == 6 ? 6 : 4;
    out->push_back(std::move(address));
  }
  return true;
}

// A string naming one of `names`' values; `error` when it names none.
template <typename Enum, size_t N>
bool ReadEnum(Napi::Env env, Napi::Object object, const char* key,
              const std::pair<const char*, Enum> (&names)[N], const char* error, Enum* out) {
  std::string text;
  if (!ReadString(env, object, key, &text, true)) return false;
  for (const auto& [name, value] : names) {
    if (text == name) {
      *out = value;
      return true;
    }
  }
  return Fail(env, error);
}

constexpr std::pair<const char*, core::HostKeyPolicy> kPolicies[] = {
    {"strict", core::HostKeyPolicy::kStrict},
    {"accept-new", core::HostKeyPolicy::kAcceptNew},
    {"off", core::HostKeyPolicy::kOff},
};
constexpr std::pair<const char*, core::AuthType> kAuthTypes[] = {
    {"password", core::AuthType::kPassword},
    {"private_key", core::AuthType::kPrivateKey},
    {"agent", core::AuthType::kAgent},
    {"keyboard_interactive", core::AuthType::kKeyboardInteractive},
};
constexpr std::pair<const char*, core::ProxyKind> kProxyKinds[] = {
    {"socks4", core::ProxyKind::kSocks4},
    {"socks5", core::ProxyKind::kSocks5},
    {"http", core::ProxyKind::kHttp},
};

constexpr std::pair<const char*, core::SftpOp> kSftpOps[] = {
    {"realpath", core::SftpOp::kRealpath}, {"stat", core::SftpOp::kStat},
    {"lstat", core::SftpOp::kLstat},       {"readdir", core::SftpOp::kReaddir},
    {"mkdir", core::SftpOp::kMkdir},       {"rmdir", core::SftpOp::kRmdir},
    {"unlink", core::SftpOp::kUnlink},     {"rename", core::SftpOp::kRename},
    {"readFile", core::SftpOp::kReadFile}, {"writeFile", core::SftpOp::kWriteFile},
};

uint32_t ReadUint(Napi::Object object, const char* key, uint32_t fallback) {
  Napi::Value value = object.Get(key);
  if (!value.IsNumber()) return fallback;
  double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= 0) || number > 4294967295.0) return fallback;
  return static_cast<uint32_t>(number);
}

}  // namespace

bool ConnectRequestFromJs(Napi::Env env, Napi::Object options, core::ConnectRequest* out) {
  if (!ReadString(env, options, "host", &out->host, true)) return false;
  if (!ReadAddresses(env, options, "addresses", &out->addresses)) return false;
  uint32_t port = ReadUint(options, "port", 0);
  if (port == 0 || port > 65535) return Fail(env, "native: port must be 1..65535");
  out->port = static_cast<uint16_t>(port);
  if (!ReadString(env, options, "username", &out->username, true)) return false;
  out->connect_timeout_ms = ReadUint(options, "connectTimeoutMs", core::codes::kConnectTimeoutMs);
  out->connect_timeout_total_ms =
      ReadUint(options, "connectTimeoutTotalMs", out->connect_timeout_ms);
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
    if (!ReadEnum(env, host_key, "policy", kPolicies,
                  "native: hostKey.policy must be strict, accept-new or off",
                  &out->host_key.policy)) {
      return false;
    }
    if (!ReadString(env, host_key, "knownHostsText", &out->host_key.known_hosts_text, false))
      return false;
    if (!ReadString(env, host_key, "knownHostsPath", &out->host_key.known_hosts_path, false))
      return false;
    if (!ReadString(env, host_key, "fingerprint", &out->host_key.pinned_fingerprint, false))
      return false;
    out->host_key.record_new = host_key.Get("recordNew").ToBoolean().Value();
    out->host_key.hash_new = host_key.Get("hashNew").ToBoolean().Value();
  } else {
    out->host_key.policy = core::HostKeyPolicy::kOff;
  }

  Napi::Value auth_value = options.Get("auth");
  if (!auth_value.IsObject()) return Fail(env, "native: auth must be an object");
  Napi::Object auth = auth_value.As<Napi::Object>();
  if (!ReadEnum(env, auth, "type", kAuthTypes, "native: unknown auth type", &out->auth.type)) {
    return false;
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
    if (!ReadEnum(env, proxy, "type", kProxyKinds, "native: unknown proxy type",
                  &out->proxy.kind)) {
      return false;
    }
    if (!ReadAddresses(env, proxy, "addresses", &out->proxy.addresses)) return false;
    uint32_t proxy_port = ReadUint(proxy, "port", 0);
    if (proxy_port == 0 || proxy_port > 65535)
      return Fail(env, "native: proxy port must be 1..65535");
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

bool SftpRequestFromJs(Napi::Env env, Napi::Object options, core::SftpRequest* out) {
  Napi::Value channel = options.Get("channel");
  if (!channel.IsNumber() || !(channel.As<Napi::Number>().DoubleValue() >= 1)) {
    return Fail(env, "native: channel must be a positive number");
  }
  out->channel_id = static_cast<uint64_t>(channel.As<Napi::Number>().DoubleValue());
  if (!ReadEnum(env, options, "op", kSftpOps, "native: unknown sftp op", &out->op)) return false;
  if (!ReadString(env, options, "path", &out->path, true)) return false;
  if (!ReadString(env, options, "target", &out->target, out->op == core::SftpOp::kRename)) {
    return false;
  }
  out->mode = ReadUint(options, "mode", 0);
  out->overwrite = options.Get("overwrite").ToBoolean().Value();
  Napi::Value max_bytes = options.Get("maxBytes");
  if (max_bytes.IsNumber()) {
    const double bytes = max_bytes.As<Napi::Number>().DoubleValue();
    if (bytes >= 0 && bytes < 9.0e15) out->max_bytes = static_cast<uint64_t>(bytes);
  }
  Napi::Value data = options.Get("data");
  if (data.IsBuffer()) {
    auto buffer = data.As<Napi::Buffer<uint8_t>>();
    out->data.assign(buffer.Data(), buffer.Data() + buffer.Length());
  } else if (!data.IsUndefined() && !data.IsNull()) {
    return Fail(env, "native: data must be a Buffer");
  }
  return true;
}

}  // namespace native_ssh::binding
