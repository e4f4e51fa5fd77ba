#include "session.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>

#include "codes.h"
#include "engine.h"
#include "libssh2_io.h"
#include "ssh_error.h"

namespace native_ssh::core {

namespace {

constexpr int kMaxRoundsPerPump = 64;
constexpr uint64_t kDisconnectBoundMs = 2000;

proxy::ProxyType ToProxyType(ProxyKind kind) {
  switch (kind) {
    case ProxyKind::kSocks4: return proxy::ProxyType::kSocks4;
    case ProxyKind::kHttp: return proxy::ProxyType::kHttp;
    default: return proxy::ProxyType::kSocks5;
  }
}

}  // namespace

Session::Session(Engine* engine, uint64_t id) : engine_(engine), id_(id) {
  uv_timer_init(engine_->loop(), &connect_timer_);
  connect_timer_.data = this;
  uv_timer_init(engine_->loop(), &pump_timer_);
  pump_timer_.data = this;
  uv_timer_init(engine_->loop(), &keepalive_timer_);
  keepalive_timer_.data = this;
  open_handles_ = 3;
  callbacks_.loop = engine_->loop();
  callbacks_.sniffer = &sniffer_;
}

Session::~Session() = default;

void Session::Emit(Event event) {
  engine_->sink()->Deliver(std::move(event));
}

void Session::Notice(const char* type, std::string message) {
  if (request_.notice_request_id == 0) return;
  Event event;
  event.request_id = request_.notice_request_id;
  event.kind = EventKind::kNotice;
  event.notice = true;
  event.final = false;
  event.info["type"] = type;
  event.info["message"] = std::move(message);
  Emit(std::move(event));
}

// ---- connect -------------------------------------------------------------------------------

void Session::Connect(uint64_t request_id, ConnectRequest request) {
  if (state_ != State::kNew) {
    Event event;
    event.request_id = request_id;
    event.kind = EventKind::kConnected;
    event.ok = false;
    event.error = MakeError(codes::kInvalidState, codes::kLevelConnect, "Connection already initialized");
    Emit(std::move(event));
    return;
  }
  connect_request_id_ = request_id;
  request_ = std::move(request);
  if (request_.debug) commands_.SetDebug([this](const std::string& line) { Debug(line); });
  const uint64_t now_ms = uv_hrtime() / 1000000;
  uint64_t timeout_ms = request_.connect_timeout_ms;
  if (request_.connect_deadline_hr_ms != 0) {
    const uint64_t left_ms =
        request_.connect_deadline_hr_ms > now_ms ? request_.connect_deadline_hr_ms - now_ms : 1;
    timeout_ms = std::min(timeout_ms, left_ms);
  }
  uv_timer_start(&connect_timer_, &Session::OnConnectTimer, timeout_ms, 0);
  callbacks_.connect_deadline_ms = now_ms + timeout_ms;
  Debug("engine: " + std::to_string(timeout_ms) + " ms of the connect timeout left");
  if (request_.proxy.kind != ProxyKind::kNone) {
    proxy::ProxyConfig config;
    config.type = ToProxyType(request_.proxy.kind);
    config.login = request_.proxy.login;
    config.password = request_.proxy.password.reveal();
    config.has_login = request_.proxy.has_login;
    config.has_password = request_.proxy.has_password;
    proxy::Target target{request_.host, request_.port};
    proxy::ProxyError proxy_error;
    proxy_ = proxy::MakeHandshake(config, target, &proxy_error);
    std::fill(config.password.begin(), config.password.end(), '\0');
    if (!proxy_) {
      FailConnect(MakeError(proxy_error.code, codes::kLevelProxy, "TCP error: " + proxy_error.message));
      return;
    }
    connector_.Reset(&request_.proxy.addresses, request_.proxy.port);
  } else {
    connector_.Reset(&request_.addresses, request_.port);
  }
  state_ = State::kTcpConnecting;
  StartTcp();
}

void Session::StartTcp() {
  for (;;) {
    TcpConnector::Status status = connector_.Begin();
    if (status == TcpConnector::Status::kFailed) {
      const bool via_proxy = request_.proxy.kind != ProxyKind::kNone;
      std::string what = via_proxy ? "Proxy connection error: " : "Direct connection error: ";
      FailConnect(MakeError(codes::kConnectFailed, via_proxy ? codes::kLevelProxy : codes::kLevelConnect,
                            "TCP error: " + what + connector_.last_error()));
      return;
    }
    int fd = connector_.TakeFd();
    WatchSocket(fd);
    if (status == TcpConnector::Status::kConnected) {
      AfterTcp();
      return;
    }
    UpdateWatch();
    return;
  }
}

void Session::OnTcpWritable() {
  int err = 0;
  socklen_t length = sizeof(err);
  if (getsockopt(watch_->fd(), SOL_SOCKET, SO_ERROR, &err, &length) != 0) err = errno;
  if (err == EINPROGRESS) return;
  if (err != 0) {
    connector_.RecordFailure(err);
    ReleaseWatch();
    StartTcp();
    return;
  }
  AfterTcp();
}

void Session::AfterTcp() {
  TuneSocket(watch_->fd());
  Debug(proxy_ ? "TCP connected to the proxy" : "TCP connected");
  if (proxy_) {
    state_ = State::kProxy;
    proxy_output_ = proxy_->TakeOutput();
    Pump();
    return;
  }
  StartSsh();
}

void Session::StartSsh() {
  ssh_ = libssh2_session_init_ex(&Libssh2Io::Allocate, &Libssh2Io::Release,
                                 &Libssh2Io::Reallocate, &callbacks_);
  if (ssh_ == nullptr) {
    FailConnect(MakeError(codes::kSessionFailed, codes::kLevelConnect, "Session error: cannot allocate a session"));
    return;
  }
  libssh2_session_set_blocking(ssh_, 0);
  Libssh2Io::InstallSocketCallbacks(ssh_);
  callbacks_.ssh_fd = watch_->fd();
  callbacks_.pre_login_left = Libssh2Io::kPreLoginBytes;
  host_key_.Begin(&request_.host_key, request_.host, request_.port);
  Error invalid;
  if (!offer_.Apply(ssh_, &request_, host_key_.PreferredAlgorithms(), &invalid)) {
    FailConnect(std::move(invalid));
    return;
  }
  state_ = State::kHandshake;
  Pump();
}

bool Session::StepProxy() {
  bool progress = false;
  while (!proxy_output_.empty()) {
    ssize_t n = send(watch_->fd(), proxy_output_.data(), proxy_output_.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      FailConnect(MakeError(codes::kConnectFailed, codes::kLevelProxy,
                            "TCP error: Proxy connection error: " + OsErrorText(errno)));
      return false;
    }
    proxy_output_.erase(0, static_cast<size_t>(n));
    progress = true;
  }
  char buffer[4096];
  ssize_t n = recv(watch_->fd(), buffer, sizeof(buffer), 0);
  proxy::Verdict verdict = proxy_->verdict();
  if (n > 0) {
    verdict = proxy_->Feed(reinterpret_cast<const uint8_t*>(buffer), static_cast<size_t>(n));
    proxy_output_ += proxy_->TakeOutput();
    progress = true;
  } else if (n == 0) {
    verdict = proxy_->OnEof();
  } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
    FailConnect(MakeError(codes::kConnectFailed, codes::kLevelProxy,
                          "TCP error: Proxy connection error: " + OsErrorText(errno)));
    return false;
  }
  if (verdict == proxy::Verdict::kFailed) {
    const proxy::ProxyError& error = proxy_->error();
    FailConnect(MakeError(error.code, codes::kLevelProxy, "TCP error: " + error.message));
    return false;
  }
  if (verdict == proxy::Verdict::kDone) {
    Debug("proxy handshake done");
    callbacks_.pending = proxy_->TakeLeftover();
    callbacks_.pending_head = 0;
    proxy_.reset();
    StartSsh();
    return false;
  }
  return progress;
}

bool Session::StepHandshake() {
  int rc = libssh2_session_handshake(ssh_, watch_->fd());
  if (rc == LIBSSH2_ERROR_EAGAIN) return false;
  if (rc != 0) {
    Error error = LastSshError(ssh_, rc, "Handshake error: ", codes::kHandshakeFailed, codes::kLevelHandshake);
    std::string why = offer_.ExplainFailure(ssh_, request_, sniffer_);
    if (!why.empty()) error.message += ": " + why;
    FailConnect(std::move(error));
    return false;
  }
  Event event;
  event.request_id = connect_request_id_;
  event.kind = EventKind::kHostKey;
  event.final = false;
  Error refusal;
  const HostKeyStage::Outcome outcome = host_key_.Check(ssh_, &event, &refusal);
  std::string().swap(request_.host_key.known_hosts_text);
  if (outcome == HostKeyStage::Outcome::kRefused) {
    FailConnect(std::move(refusal));
    return false;
  }
  Debug("host key " + host_key_.description() +
        (outcome == HostKeyStage::Outcome::kNew ? " is new: locking known_hosts to record it"
                                                 : " accepted"));
  if (outcome == HostKeyStage::Outcome::kNew) {
    // A new host under accept-new: JavaScript takes the file's lock and re-reads it, so that
    // parallel first connections record one line and a different key recorded meanwhile wins.
    state_ = State::kAwaitHostKey;
    awaiting_recheck_ = true;
    event.info["phase"] = "record";
    Emit(std::move(event));
    return false;
  }
  if (request_.want_host_key_verdict) {
    state_ = State::kAwaitHostKey;
    event.info["phase"] = "verify";
    Emit(std::move(event));
    return false;
  }
  state_ = State::kAuth;
  authenticator_.Start(ssh_, &request_.username, &request_.auth);
  return true;
}

void Session::HostKeyRecheck(std::string known_hosts_text) {
  if (state_ != State::kAwaitHostKey || !awaiting_recheck_) return;
  awaiting_recheck_ = false;
  Error refusal;
  std::string line;
  if (!host_key_.Recheck(std::move(known_hosts_text), &refusal, &line)) {
    FailConnect(std::move(refusal));
    return;
  }
  Debug(line.empty() ? "host key: known_hosts, read again, now records this key"
                    : "host key: still new after reading known_hosts again");
  Event event;
  event.request_id = connect_request_id_;
  event.kind = EventKind::kHostKey;
  event.final = false;
  DescribeHostKey(ssh_, &event);
  event.info["phase"] = "recorded";
  event.info["known_hosts_line"] = line;
  Emit(std::move(event));
}

void Session::HostKeyVerdict(bool accept, Error refusal) {
  if (state_ != State::kAwaitHostKey) return;
  awaiting_recheck_ = false;  // JavaScript could not lock the file: accepted without recording
  if (!accept) {
    FailConnect(std::move(refusal));
    return;
  }
  state_ = State::kAuth;
  authenticator_.Start(ssh_, &request_.username, &request_.auth);
  Pump();
}

bool Session::StepAuth() {
  Authenticator::Status status = authenticator_.Step();
  switch (status) {
    case Authenticator::Status::kWaiting: return false;
    case Authenticator::Status::kProgress: return true;
    case Authenticator::Status::kFailed: {
      Error error = authenticator_.error();
      // libssh2 may call a connection cut mid-login a refusal (e.g. -19 while waiting for the
      // USERAUTH reply): the read that saw end-of-stream tells the truth.
      if (callbacks_.peer_closed && error.code != codes::kConnectionLost) {
        error.code = codes::kConnectionLost;
        error.level = codes::kLevelConnect;
        error.message = "Connection error: the server closed the connection during login (" +
                        error.message + ")";
      }
      FailConnect(std::move(error));
      return false;
    }
    case Authenticator::Status::kDone: break;
  }
  uv_timer_stop(&connect_timer_);
  authenticator_.Release();
  state_ = State::kReady;
  callbacks_.pre_login_left = UINT64_MAX;
  callbacks_.connect_deadline_ms = 0;
  // Secrets are not needed any more: wipe them now rather than when the connection closes.
  request_.auth.password.Wipe();
  request_.auth.private_key.Wipe();
  request_.auth.passphrase.Wipe();
  for (Secret& answer : request_.auth.responses) answer.Wipe();
  request_.proxy.password.Wipe();

  Event event;
  event.request_id = connect_request_id_;
  event.kind = EventKind::kConnected;
  DescribeHostKey(ssh_, &event);
  const char* banner = libssh2_session_banner_get(ssh_);
  if (banner != nullptr) event.info["banner"] = banner;
  static const struct {
    int method;
    const char* name;
  } kMethods[] = {
      {LIBSSH2_METHOD_KEX, "kex"},           {LIBSSH2_METHOD_HOSTKEY, "host_key_algorithm"},
      {LIBSSH2_METHOD_CRYPT_CS, "cipher_cs"}, {LIBSSH2_METHOD_CRYPT_SC, "cipher_sc"},
      {LIBSSH2_METHOD_MAC_CS, "mac_cs"},      {LIBSSH2_METHOD_MAC_SC, "mac_sc"},
  };
  for (const auto& method : kMethods) {
    const char* value = libssh2_session_methods(ssh_, method.method);
    if (value != nullptr) event.info[method.name] = value;
  }
  // AEAD ciphers carry their own integrity: the negotiated MAC name is not used (OpenSSH says
  // "<implicit>"; libssh2 reports an invented name or the unused MAC).
  for (const char* direction : {"cs", "sc"}) {
    const std::string cipher = event.info[std::string("cipher_") + direction];
    if (cipher.find("-gcm@openssh.com") != std::string::npos ||
        cipher.find("chacha20-poly1305") != std::string::npos) {
      event.info[std::string("mac_") + direction] = "<implicit>";
    }
  }
  event.info["auth_methods"] = authenticator_.methods();
  static const char* const kAuthNames[] = {"password", "publickey", "agent", "keyboard-interactive"};
  Debug(std::string("logged in with ") + kAuthNames[static_cast<int>(request_.auth.type)] +
        " (server offers " + authenticator_.methods() + "); kex " + event.info["kex"] + ", host key " +
        event.info["host_key_algorithm"] + ", cipher " + event.info["cipher_cs"] + " / " +
        event.info["cipher_sc"] + ", mac " + event.info["mac_cs"] + " / " + event.info["mac_sc"]);
  if (!host_key_.notes().empty()) event.info["known_hosts_notes"] = host_key_.notes();
  Emit(std::move(event));
  StartKeepalive();
  return true;
}

void Session::StartKeepalive() {
  if (request_.keepalive_interval_ms == 0) return;
  const unsigned seconds = std::max(1u, request_.keepalive_interval_ms / 1000);
  libssh2_keepalive_config(ssh_, 1, seconds);
  callbacks_.last_receive_ms = uv_now(engine_->loop());
  uv_timer_start(&keepalive_timer_, &Session::OnKeepaliveTimer, request_.keepalive_interval_ms,
                 request_.keepalive_interval_ms);
}

void Session::OnKeepaliveTimer(uv_timer_t* handle) {
  auto* self = static_cast<Session*>(handle->data);
  if (self->state_ != State::kReady) return;
  const uint64_t interval = self->request_.keepalive_interval_ms;
  const uint64_t silent_ms = uv_now(self->engine_->loop()) - self->callbacks_.last_receive_ms;
  // With commands pending the socket is read, so keepalive answers refresh last_receive_ms; a
  // peer silent for three intervals is gone (frozen, unplugged, or a black-holed route).
  if (self->commands_.running() && silent_ms >= 3 * interval) {
    char amount[32];
    snprintf(amount, sizeof(amount), "%g", silent_ms / 1000.0);
    self->BreakTransport(MakeError(
        codes::kConnectionLost, codes::kLevelConnect,
        std::string("Connection error: the server did not answer keepalives for ") + amount + " s"));
    return;
  }
  int next = 0;
  libssh2_keepalive_send(self->ssh_, &next);
  self->Pump();
}

void Session::FailConnect(Error error) {
  if (state_ == State::kClosed || state_ == State::kClosing) return;
  uv_timer_stop(&connect_timer_);
  if (!callbacks_.limit_error.empty() && error.code != codes::kTimeout && error.code != codes::kAborted) {
    // The read that failed was ours: say which limit the server broke.
    error = MakeError(codes::kHandshakeFailed, codes::kLevelHandshake,
                      "Handshake error: " + callbacks_.limit_error + " (stage: " + StageName() + ")");
  }
  Debug("connect failed (" + error.code + "): " + error.message);
  Event event;
  event.request_id = connect_request_id_;
  event.kind = EventKind::kConnected;
  event.ok = false;
  event.error = std::move(error);
  TearDown();
  Emit(std::move(event));
}

std::string Session::StageName() const {
  switch (state_) {
    case State::kTcpConnecting: return "TCP connect";
    case State::kProxy: return "proxy handshake";
    case State::kHandshake: return "SSH handshake";
    case State::kAwaitHostKey: return "host key check";
    case State::kAuth: return "login";
    default: return "connect";
  }
}

void Session::OnConnectTimer(uv_timer_t* handle) {
  auto* self = static_cast<Session*>(handle->data);
  if (self->state_ == State::kClosing) {
    // The server did not confirm the disconnect in time: free everything anyway.
    self->FinishClose();
    return;
  }
  const std::string stage = self->StageName();
  const double seconds = self->request_.connect_timeout_total_ms / 1000.0;
  char amount[32];
  snprintf(amount, sizeof(amount), "%g", seconds);
  self->FailConnect(MakeError(
      codes::kTimeout, codes::kLevelTimeout,
      "Timeout error: no connection to " + self->request_.host + ":" +
          std::to_string(self->request_.port) + " within " + amount + " s (stage: " + stage + ")"));
}

// ---- commands ------------------------------------------------------------------------------

void Session::Exec(uint64_t request_id, ExecRequest request) {
  if (state_ != State::kReady) {
    Event event;
    event.request_id = request_id;
    event.kind = EventKind::kExecDone;
    event.ok = false;
    event.error = state_ == State::kBroken
                      ? MakeError(codes::kNotConnected, codes::kLevelChannel, "No session: the connection was lost")
                      : MakeError(codes::kNotConnected, codes::kLevelChannel, "No session");
    Emit(std::move(event));
    return;
  }
  const uint32_t timeout_ms = request.timeout_ms;
  auto channel = std::make_unique<ExecChannel>(ssh_, request_id, std::move(request),
                                               [this](Event event) { Emit(std::move(event)); });
  channel->StartTimer(engine_->loop(), [this, request_id, timeout_ms] {
    char amount[32];
    snprintf(amount, sizeof(amount), "%g", timeout_ms / 1000.0);
    CancelExec(request_id, MakeError(codes::kTimeout, codes::kLevelTimeout,
                                     std::string("Timeout error: the command did not finish within ") +
                                         amount + " s"));
  });
  commands_.Add(std::move(channel));
  if (request_.debug) Debug("command " + std::to_string(request_id) + ": opening a channel");
  Pump();
}

void Session::CancelExec(uint64_t request_id, Error error) {
  if (std::unique_ptr<ExecChannel> waiting = commands_.TakeWaiting(request_id)) {
    waiting->Cancel(std::move(error));
    return;
  }
  ExecChannel* channel = commands_.Find(request_id);
  if (channel == nullptr) return;
  channel->Cancel(std::move(error));
  Pump();
}

void Session::AckExec(uint64_t request_id, uint64_t bytes) {
  ExecChannel* channel = commands_.Find(request_id);
  if (channel == nullptr) return;
  channel->Ack(bytes);
  Pump();
}

void Session::StopExec(uint64_t request_id) {
  if (request_.debug) Debug("command " + std::to_string(request_id) + ": stopped by the program (TERM, close)");
  if (std::unique_ptr<ExecChannel> waiting = commands_.TakeWaiting(request_id)) {
    waiting->Stop();  // never opened: settles at once
    return;
  }
  ExecChannel* channel = commands_.Find(request_id);
  if (channel == nullptr) return;
  channel->Stop();
  Pump();
}

void Session::WriteStdin(uint64_t request_id, std::vector<uint8_t> bytes) {
  ExecChannel* channel = commands_.Find(request_id);
  if (channel == nullptr) return;
  channel->WriteStdin(std::move(bytes));
  Pump();
}

void Session::EndStdin(uint64_t request_id) {
  ExecChannel* channel = commands_.Find(request_id);
  if (channel == nullptr) return;
  channel->EndStdin();
  Pump();
}

bool Session::StepChannels() {
  const ChannelQueue::StepResult result = commands_.Step(ssh_);
  if (result.transport_failed) {
    BreakTransport(result.transport_error);
    return false;
  }
  wanted_directions_ |= result.directions;
  return result.progress;
}

void Session::BreakTransport(Error error) {
  if (callbacks_.peer_closed && error.code == codes::kConnectionLost) {
    error.message = "Connection error: the server closed the connection (" + error.message + ")";
  }
  commands_.AbandonAll(error);
  TearDown();
  state_ = State::kBroken;
  Debug("connection lost: " + error.message);
  if (request_.notice_request_id != 0 && !lost_noticed_) {
    lost_noticed_ = true;
    Event event;
    event.request_id = request_.notice_request_id;
    event.kind = EventKind::kNotice;
    event.notice = true;
    event.final = false;
    event.ok = false;
    event.info["type"] = "lost";
    event.error = std::move(error);
    Emit(std::move(event));
  }
}

// ---- close ---------------------------------------------------------------------------------

void Session::Close(uint64_t request_id) {
  if (request_id != 0) close_request_ids_.push_back(request_id);
  if (state_ == State::kClosing) return;
  if (state_ == State::kClosed || state_ == State::kBroken || state_ == State::kNew) {
    TearDown();
    FinishClose();
    return;
  }
  if (state_ != State::kReady) {
    FailConnect(MakeError(codes::kAborted, codes::kLevelConnect, "Connection closed before it was established"));
    FinishClose();
    return;
  }
  commands_.AbandonAll(MakeError(codes::kNotConnected, codes::kLevelChannel,
                                 "No session: the connection was closed while the command ran"));
  state_ = State::kClosing;
  Debug("closing: sending a disconnect");
  uv_timer_start(&connect_timer_, &Session::OnConnectTimer, kDisconnectBoundMs, 0);
  Pump();
}

bool Session::StepClosing() {
  int rc = libssh2_session_disconnect_ex(ssh_, SSH_DISCONNECT_BY_APPLICATION,
                                         "closed by native-ssh", "");
  if (rc == LIBSSH2_ERROR_EAGAIN) return false;
  FinishClose();
  return false;
}

void Session::FinishClose() {
  TearDown();
  for (uint64_t request_id : close_request_ids_) {
    Event event;
    event.request_id = request_id;
    event.kind = EventKind::kClosed;
    Emit(std::move(event));
  }
  close_request_ids_.clear();
}

void Session::Shutdown() {
  if (state_ == State::kReady && ssh_ != nullptr) {
    // One try at a polite disconnect; the process is going away, so no waiting.
    libssh2_session_disconnect_ex(ssh_, SSH_DISCONNECT_BY_APPLICATION, "closed by native-ssh", "");
  }
  commands_.AbandonAll(
      MakeError(codes::kNotConnected, codes::kLevelChannel, "No session: the environment is closing"));
  if (state_ != State::kReady && state_ != State::kClosed && state_ != State::kBroken &&
      state_ != State::kNew && state_ != State::kClosing) {
    FailConnect(MakeError(codes::kAborted, codes::kLevelConnect, "The environment is closing"));
  }
  FinishClose();
  if (open_handles_ > 0 && !torn_down_) TearDown();
}

void Session::TearDown() {
  commands_.AbandonAll(MakeError(codes::kNotConnected, codes::kLevelChannel, "No session"));
  if (!torn_down_) {
    torn_down_ = true;
    uv_timer_stop(&connect_timer_);
    uv_timer_stop(&pump_timer_);
    uv_timer_stop(&keepalive_timer_);
    if (watch_ != nullptr) watch_->Stop();
    authenticator_.Release();
    if (ssh_ != nullptr) {
      // Shut the socket down first (the descriptor stays ours, so it cannot be reused under
      // libssh2), then free: every send fails at once, so nothing waits on the network.
      if (watch_ != nullptr) shutdown(watch_->fd(), SHUT_RDWR);
      // Reads go to the socket again (no turn budget, nothing "drained"): they find the end of
      // the stream at once, where an EAGAIN would make libssh2_session_free() give up and leak.
      callbacks_.socket_drained = false;
      callbacks_.turn_left = SIZE_MAX;
      callbacks_.pending.clear();
      callbacks_.pending_head = 0;
      int rc = LIBSSH2_ERROR_EAGAIN;
      // (libssh2 patch 0023: a half-sent packet no longer makes this EAGAIN for ever.)
      for (int i = 0; i < 1000 && rc == LIBSSH2_ERROR_EAGAIN; ++i) rc = libssh2_session_free(ssh_);
      ssh_ = nullptr;
    }
    commands_.Clear();
    ReleaseWatch();
    uv_close(reinterpret_cast<uv_handle_t*>(&connect_timer_), &Session::OnHandleClosed);
    uv_close(reinterpret_cast<uv_handle_t*>(&pump_timer_), &Session::OnHandleClosed);
    uv_close(reinterpret_cast<uv_handle_t*>(&keepalive_timer_), &Session::OnHandleClosed);
  }
  state_ = State::kClosed;
}

void Session::OnHandleClosed(uv_handle_t* handle) {
  auto* self = static_cast<Session*>(handle->data);
  --self->open_handles_;
  self->MaybeForget();
}

void Session::MaybeForget() {
  if (open_handles_ == 0 && torn_down_) engine_->ForgetSession(id_);  // deletes this
}

// ---- socket and pump -----------------------------------------------------------------------

void Session::WatchSocket(int fd) {
  watch_ = SocketWatch::Open(
      engine_->loop(), fd, [this](int status, int events) { OnSocketEvent(status, events); },
      [this] {
        --open_handles_;
        MaybeForget();
      });
  ++open_handles_;
}

void Session::ReleaseWatch() {
  if (watch_ == nullptr) return;
  watch_->Close();
  watch_ = nullptr;
}

void Session::OnSocketEvent(int status, int events) {
  // Readable, or an error that a read will report: reads go to the socket again.
  if (status < 0 || (events & (UV_READABLE | UV_DISCONNECT)) != 0) {
    callbacks_.socket_drained = false;
  }
  if (state_ == State::kTcpConnecting) {
    // Success or failure, SO_ERROR tells which (a failed connect also reports writable).
    OnTcpWritable();
    return;
  }
  if (state_ == State::kReady && commands_.idle() && (status < 0 || (events & UV_DISCONNECT) != 0)) {
    // Nothing runs, so nothing reads: the server closed the connection, or it broke (libuv
    // reports a socket error as EBADF: the socket's own error says which).
    int err = 0;
    socklen_t length = sizeof(err);
    if (status < 0 && getsockopt(watch_->fd(), SOL_SOCKET, SO_ERROR, &err, &length) != 0) err = errno;
    callbacks_.peer_closed = err == 0;
    BreakTransport(MakeError(
        codes::kConnectionLost, codes::kLevelConnect,
        err != 0 ? "Connection error: the connection broke while no command was running: " + OsErrorText(err)
                 : "while no command was running"));
    return;
  }
  Pump();
}

void Session::OnPumpTimer(uv_timer_t* handle) {
  static_cast<Session*>(handle->data)->Pump();
}

void Session::SchedulePump() {
  if (!torn_down_) uv_timer_start(&pump_timer_, &Session::OnPumpTimer, 0, 0);
}

void Session::Pump() {
  if (pumping_) {
    pump_again_ = true;
    return;
  }
  pumping_ = true;
  Libssh2Io::StartTurn(&callbacks_);
  int rounds = 0;
  bool progress = true;
  while (progress && rounds < kMaxRoundsPerPump) {
    ++rounds;
    pump_again_ = false;
    wanted_directions_ = 0;
    progress = false;
    switch (state_) {
      case State::kProxy: progress = StepProxy(); break;
      case State::kHandshake: progress = StepHandshake(); break;
      case State::kAuth: progress = StepAuth(); break;
      case State::kReady: progress = StepChannels(); break;
      case State::kClosing: progress = StepClosing(); break;
      default: break;
    }
    progress = progress || pump_again_;
  }
  pumping_ = false;
  // More to do, or this session's turn ran out with bytes waiting: other sessions go first.
  if (progress || callbacks_.turn_spent) SchedulePump();
  UpdateWatch();
}

void Session::UpdateWatch() {
  if (watch_ == nullptr || torn_down_) return;
  int events = 0;
  auto libssh2_events = [this]() {
    int directions = libssh2_session_block_directions(ssh_) | wanted_directions_;
    int wanted = 0;
    if (directions & LIBSSH2_SESSION_BLOCK_INBOUND) wanted |= UV_READABLE;
    if (directions & LIBSSH2_SESSION_BLOCK_OUTBOUND) wanted |= UV_WRITABLE;
    return wanted == 0 ? UV_READABLE : wanted;
  };
  switch (state_) {
    case State::kTcpConnecting: events = UV_WRITABLE; break;
    case State::kProxy: events = UV_READABLE | (proxy_output_.empty() ? 0 : UV_WRITABLE); break;
    case State::kHandshake:
    case State::kAuth:
    case State::kClosing: events = libssh2_events(); break;
    case State::kReady: {
      // Idle connections are not watched: nothing reads the socket until the next command. Nor
      // are connections whose every command is paused by flow control (level-triggered polling
      // would spin on data nobody reads).
      const bool wants_input = commands_.WantsInput();
      if (commands_.running()) events = libssh2_events();
      callbacks_.blocks.SetIdle(!commands_.running());  // idle: keep no spare packet blocks
      if (wants_input) events |= UV_READABLE;
      else events &= ~UV_READABLE;
      // Idle: watched for the end of the stream only (EPOLLRDHUP), so that a server that goes
      // away while nothing runs is noticed at once, not at the next command. (Not while commands
      // are paused: level-triggered, it would fire until they resume.)
      if (!commands_.running()) events |= UV_DISCONNECT;
      break;
    }
    default: break;
  }
  watch_->Want(events);
}

}  // namespace native_ssh::core
