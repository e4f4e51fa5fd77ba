#include "core/session.h"

#include <sys/socket.h>

#include <algorithm>
#include <utility>

#include "core/codes.h"
#include "core/libssh2_io.h"
#include "core/ssh_error.h"
#include "core/tcp_connector.h"

namespace native_ssh::core {

namespace {

constexpr int kMaxRoundsPerPump = 64;
constexpr uint64_t kDisconnectBoundMs = 2000;

}  // namespace

Session::Session(SessionHost* host, uint64_t id)
    : host_(host), id_(id), events_(host), socket_(host->loop(), &sniffer_) {
  commands_.Init(
      {host_->loop(), [this](Event event) { events_.Send(std::move(event)); }, [this] { Pump(); }});
  connect_timer_.Init(host_->loop());
  pump_timer_.Init(host_->loop());
  keepalive_.Init(host_->loop());
  open_handles_ = 3;
}

Session::~Session() = default;

// ---- connect -------------------------------------------------------------------------------

void Session::Connect(uint64_t request_id, ConnectRequest request) {
  if (state_ != State::kNew) {
    events_.Send(Event::Failed(
        request_id, EventKind::kConnected,
        MakeError(codes::kInvalidState, codes::kLevelConnect, "Connection already initialized")));
    return;
  }
  request_ = std::move(request);
  events_.Begin(request_id, request_);
  if (request_.debug) commands_.SetDebug([this](const std::string& line) { Debug(line); });
  const uint64_t now_ms = uv_hrtime() / 1000000;
  const uint64_t timeout_ms = request_.ConnectTimeoutLeftMs(now_ms);
  connect_timer_.Start(timeout_ms, 0, [this] { OnConnectTimer(); });
  io_.connect_deadline_ms = now_ms + timeout_ms;
  Debug("engine: " + std::to_string(timeout_ms) + " ms of the connect timeout left");
  Error error;
  if (!transport_.Begin(request_, &error)) {
    FailConnect(std::move(error));
    return;
  }
  state_ = State::kTcpConnecting;
  StartTcp();
}

void Session::StartTcp() {
  int fd = -1;
  Error error;
  const TransportStage::Status status = transport_.NextAttempt(&fd, &error);
  if (status == TransportStage::Status::kFailed) {
    FailConnect(std::move(error));
    return;
  }
  WatchSocket(fd);
  if (status == TransportStage::Status::kConnected) {
    AfterTcp();
    return;
  }
  UpdateWatch();
}

void Session::OnTcpWritable() {
  switch (transport_.Writable(socket_.watch().PendingError())) {
    case TransportStage::Status::kWaiting: return;
    case TransportStage::Status::kRetry:
      socket_.CloseWatch([this] { HandleClosed(); });
      StartTcp();
      return;
    default: AfterTcp();
  }
}

void Session::AfterTcp() {
  TuneSocket(socket_.fd());
  Debug(transport_.via_proxy() ? "TCP connected to the proxy" : "TCP connected");
  if (transport_.via_proxy()) {
    state_ = State::kProxy;
    transport_.StartProxy();
    Pump();
    return;
  }
  StartSsh();
}

bool Session::StepProxy() {
  Error error;
  switch (transport_.StepProxy(socket_.fd(), &error)) {
    case TransportStage::Status::kFailed: FailConnect(std::move(error)); return false;
    case TransportStage::Status::kConnected:
      Debug("proxy handshake done");
      io_.pending = transport_.TakeLeftover();
      io_.pending_head = 0;
      StartSsh();
      return false;
    case TransportStage::Status::kProgress: return true;
    default: return false;
  }
}

void Session::StartSsh() {
  if (!socket_.OpenSsh()) {
    FailConnect(MakeError(codes::kSessionFailed, codes::kLevelConnect,
                          "Session error: cannot allocate a session"));
    return;
  }
  ssh_ = socket_.ssh();
  host_key_.Begin(&request_.host_key, request_.host, request_.port);
  Error invalid;
  if (!offer_.Apply(ssh_, &request_, host_key_.PreferredAlgorithms(), &invalid)) {
    FailConnect(std::move(invalid));
    return;
  }
  state_ = State::kHandshake;
  Pump();
}

bool Session::StepHandshake() {
  int rc = libssh2_session_handshake(ssh_, socket_.fd());
  if (rc == LIBSSH2_ERROR_EAGAIN) return false;
  if (rc != 0) {
    Error error = LastSshError(ssh_, rc, "Handshake error: ", codes::kHandshakeFailed,
                               codes::kLevelHandshake);
    std::string why = offer_.ExplainFailure(ssh_, request_, sniffer_);
    if (!why.empty()) error.message += ": " + why;
    FailConnect(std::move(error));
    return false;
  }
  Event event = events_.HostKeyEvent();
  Error refusal;
  const HostKeyStage::Outcome outcome =
      host_key_.Check(ssh_, request_.want_host_key_verdict, &event, &refusal);
  std::string().swap(request_.host_key.known_hosts_text);
  if (outcome == HostKeyStage::Outcome::kRefused) {
    FailConnect(std::move(refusal));
    return false;
  }
  Debug("host key " + host_key_.description() +
        (outcome == HostKeyStage::Outcome::kRecord ? " is new: locking known_hosts to record it"
                                                   : " accepted"));
  if (outcome == HostKeyStage::Outcome::kAccepted) {
    StartAuth();
    return true;
  }
  // JavaScript's turn. A new host under accept-new: it takes the file's lock and re-reads it, so
  // that parallel first connections record one line and a different key recorded meanwhile wins.
  state_ = State::kAwaitHostKey;
  awaiting_recheck_ = outcome == HostKeyStage::Outcome::kRecord;
  events_.Send(std::move(event));
  return false;
}

void Session::HostKeyRecheck(std::string known_hosts_text) {
  if (state_ != State::kAwaitHostKey || !awaiting_recheck_) return;
  awaiting_recheck_ = false;
  Event event = events_.HostKeyEvent();
  Error refusal;
  if (!host_key_.Recheck(std::move(known_hosts_text), &refusal, &event)) {
    FailConnect(std::move(refusal));
    return;
  }
  Debug(event.info["known_hosts_line"].empty()
            ? "host key: known_hosts, read again, now records this key"
            : "host key: still new after reading known_hosts again");
  events_.Send(std::move(event));
}

void Session::HostKeyVerdict(bool accept, Error refusal) {
  if (state_ != State::kAwaitHostKey) return;
  awaiting_recheck_ = false;  // JavaScript could not lock the file: accepted without recording
  if (!accept) {
    FailConnect(std::move(refusal));
    return;
  }
  StartAuth();
  Pump();
}

void Session::StartAuth() {
  state_ = State::kAuth;
  authenticator_.Start(ssh_, &request_.username, &request_.auth);
}

bool Session::StepAuth() {
  switch (authenticator_.Step()) {
    case Authenticator::Status::kWaiting: return false;
    case Authenticator::Status::kProgress: return true;
    case Authenticator::Status::kFailed: {
      Error error = authenticator_.error();
      // libssh2 may call a connection cut mid-login a refusal (e.g. -19 while waiting for the
      // USERAUTH reply): the read that saw end-of-stream tells the truth.
      if (io_.peer_closed && error.code != codes::kConnectionLost) {
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
  Connected();
  return true;
}

void Session::Connected() {
  connect_timer_.Stop();
  authenticator_.Release();
  state_ = State::kReady;
  io_.pre_login_left = UINT64_MAX;
  io_.connect_deadline_ms = 0;
  request_.WipeSecrets();
  events_.Connected(ssh_, host_key_, authenticator_, request_.auth.type);
  keepalive_.Start(ssh_, request_.keepalive_interval_ms, &io_,
                   {[this] { return commands_.running(); },
                    [this](Error error) { BreakTransport(std::move(error)); }, [this] { Pump(); }});
}

void Session::FailConnect(Error error) {
  if (state_ == State::kClosed || state_ == State::kClosing) return;
  connect_timer_.Stop();
  if (!io_.limit_error.empty() && error.code != codes::kTimeout && error.code != codes::kAborted) {
    // The read that failed was ours: say which limit the server broke.
    error = MakeError(codes::kHandshakeFailed, codes::kLevelHandshake,
                      "Handshake error: " + io_.limit_error + " (stage: " + StageName() + ")");
  }
  Debug("connect failed (" + error.code + "): " + error.message);
  TearDown();
  events_.ConnectFailed(std::move(error));
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

void Session::OnConnectTimer() {
  if (state_ == State::kClosing) {
    // The server did not confirm the disconnect in time: free everything anyway.
    FinishClose();
    return;
  }
  FailConnect(MakeError(codes::kTimeout, codes::kLevelTimeout,
                        "Timeout error: no connection to " + request_.host + ":" +
                            std::to_string(request_.port) + " within " +
                            SecondsText(request_.connect_timeout_total_ms) +
                            " s (stage: " + StageName() + ")"));
}

// ---- commands ------------------------------------------------------------------------------

bool Session::RequireReady(uint64_t request_id, EventKind kind) {
  if (state_ == State::kReady) return true;
  events_.Send(Event::Failed(
      request_id, kind,
      MakeError(codes::kNotConnected, codes::kLevelChannel,
                state_ == State::kBroken ? "No session: the connection was lost" : "No session")));
  return false;
}

void Session::Exec(uint64_t request_id, ExecRequest request) {
  if (!RequireReady(request_id, EventKind::kExecFinished)) return;
  commands_.Start(ssh_, request_id, std::move(request));
}

void Session::SftpOpen(uint64_t request_id) {
  if (!RequireReady(request_id, EventKind::kSftp)) return;
  commands_.StartSftp(ssh_, request_id);
}

void Session::SftpOp(uint64_t request_id, SftpRequest request) {
  if (!RequireReady(request_id, EventKind::kSftp)) return;
  commands_.SubmitSftp(request_id, std::move(request));
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
  if (io_.peer_closed && error.code == codes::kConnectionLost) {
    error.message = "Connection error: the server closed the connection (" + error.message + ")";
  }
  commands_.AbandonAll(error);
  TearDown();
  state_ = State::kBroken;
  Debug("connection lost: " + error.message);
  events_.Lost(error);
}

// ---- close ---------------------------------------------------------------------------------

void Session::Close(uint64_t request_id) {
  events_.AddCloseRequest(request_id);
  if (state_ == State::kClosing) return;
  if (state_ == State::kClosed || state_ == State::kBroken || state_ == State::kNew) {
    TearDown();
    FinishClose();
    return;
  }
  if (state_ != State::kReady) {
    FailConnect(MakeError(codes::kAborted, codes::kLevelConnect,
                          "Connection closed before it was established"));
    FinishClose();
    return;
  }
  commands_.AbandonAll(MakeError(codes::kNotConnected, codes::kLevelChannel,
                                 "No session: the connection was closed while the command ran"));
  state_ = State::kClosing;
  keepalive_.Stop();
  Debug("closing: sending a disconnect");
  connect_timer_.Start(kDisconnectBoundMs, 0, [this] { OnConnectTimer(); });
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
  events_.Closed();
}

void Session::Shutdown() {
  if (state_ == State::kReady && ssh_ != nullptr) {
    // One try at a polite disconnect; the process is going away, so no waiting.
    libssh2_session_disconnect_ex(ssh_, SSH_DISCONNECT_BY_APPLICATION, "closed by native-ssh", "");
  }
  commands_.AbandonAll(MakeError(codes::kNotConnected, codes::kLevelChannel,
                                 "No session: the environment is closing"));
  if (state_ != State::kReady && state_ != State::kClosed && state_ != State::kBroken &&
      state_ != State::kNew && state_ != State::kClosing) {
    FailConnect(MakeError(codes::kAborted, codes::kLevelConnect, "The environment is closing"));
  }
  FinishClose();
}

void Session::TearDown() {
  commands_.AbandonAll(MakeError(codes::kNotConnected, codes::kLevelChannel, "No session"));
  if (!torn_down_) {
    torn_down_ = true;
    authenticator_.Release();  // before the libssh2 session: the agent uses it
    socket_.Release([this] { HandleClosed(); });
    ssh_ = nullptr;
    commands_.Clear();
    connect_timer_.Close([this] { HandleClosed(); });
    pump_timer_.Close([this] { HandleClosed(); });
    keepalive_.Close([this] { HandleClosed(); });
  }
  state_ = State::kClosed;
}

void Session::HandleClosed() {
  --open_handles_;
  if (open_handles_ == 0 && torn_down_) host_->SessionEnded(id_);  // deletes this
}

// ---- socket and pump -----------------------------------------------------------------------

void Session::WatchSocket(int fd) {
  if (socket_.Watch(fd, [this](int status, int events) { OnSocketEvent(status, events); })) {
    ++open_handles_;
  }
}

void Session::OnSocketEvent(int status, int events) {
  if (state_ == State::kTcpConnecting) {
    // Success or failure, SO_ERROR tells which (a failed connect also reports writable).
    OnTcpWritable();
    return;
  }
  Error lost;
  if (state_ == State::kReady && commands_.idle() && socket_.IdleLoss(status, events, &lost)) {
    BreakTransport(std::move(lost));  // nothing runs, so nothing reads: the event tells
    return;
  }
  Pump();
}

void Session::SchedulePump() {
  if (!torn_down_) pump_timer_.Start(0, 0, [this] { Pump(); });
}

void Session::Pump() {
  if (pumping_) {
    pump_again_ = true;
    return;
  }
  pumping_ = true;
  Libssh2Io::StartTurn(&io_);
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
  if (progress || io_.turn_spent) SchedulePump();
  UpdateWatch();
}

void Session::UpdateWatch() {
  if (!socket_.watching() || torn_down_) return;
  int events = 0;
  switch (state_) {
    case State::kTcpConnecting: events = UV_WRITABLE; break;
    case State::kProxy: events = UV_READABLE | (transport_.has_output() ? UV_WRITABLE : 0); break;
    case State::kHandshake:
    case State::kAuth:
    case State::kClosing: events = socket_.Libssh2Events(wanted_directions_); break;
    case State::kReady: {
      // Idle connections are not watched: nothing reads the socket until the next command. Nor
      // are connections whose every command is paused by flow control (level-triggered polling
      // would spin on data nobody reads).
      const bool wants_input = commands_.WantsInput();
      if (commands_.running()) events = socket_.Libssh2Events(wanted_directions_);
      io_.blocks.SetIdle(!commands_.running());  // idle: keep no spare packet blocks
      if (wants_input)
        events |= UV_READABLE;
      else
        events &= ~UV_READABLE;
      // Idle: watched for the end of the stream only (EPOLLRDHUP), so that a server that goes
      // away while nothing runs is noticed at once, not at the next command. (Not while commands
      // are paused: level-triggered, it would fire until they resume.)
      if (!commands_.running()) events |= UV_DISCONNECT;
      break;
    }
    default: break;
  }
  socket_.watch().Want(events);
}

}  // namespace native_ssh::core
