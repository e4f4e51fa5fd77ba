#include "core/exec_channel.h"

#include <algorithm>
#include <cstring>

#include "core/codes.h"
#include "core/ssh_error.h"

namespace native_ssh::core {

namespace {
constexpr size_t kReadChunk = 256 * 1024;
// Bytes read per Step before yielding, so one busy channel cannot starve the others.
constexpr size_t kReadBudget = 4 * 1024 * 1024;
// Streaming: delivered but unconsumed bytes above which reading stops.
constexpr uint64_t kStreamHighWater = 1024 * 1024;
// The longest command one exec request carries: libssh2 (patch 0012) sends packets up to 256 KiB,
// the most OpenSSH's server reads; the rest of the packet is the request's own fields.
constexpr size_t kMaxCommandBytes = 255 * 1024;
// Commands above this may be over a server's own limit (Dropbear: 9000 bytes).
constexpr size_t kLongCommandBytes = 8192;
// A stopped command settles when its channel has closed, or after this long (a server that does
// not answer the close).
constexpr uint64_t kStopBoundMs = 5000;

constexpr const char* kStdinHint =
    "pass a long script on stdin instead, e.g. exec('bash -s', {stdin: script})";

std::string TooLongMessage(size_t bytes) {
  return "Exec error: the command is too long: " + std::to_string(bytes) +
         " bytes, more than one SSH request carries (" + std::to_string(kMaxCommandBytes) + "); " +
         kStdinHint;
}
}  // namespace

ExecChannel::ExecChannel(LIBSSH2_SESSION* session, uint64_t request_id, ExecRequest request,
                         Emit emit)
    : QueuedChannel(request_id),
      session_(session),
      request_(std::move(request)),
      emit_(std::move(emit)) {
  result_.request_id = request_id_;
  result_.kind = EventKind::kExecFinished;
  stdin_.Start(std::move(request_.stdin_data), request_.stdin_stream);
}

ExecChannel::~ExecChannel() = default;

void ExecChannel::StartTimer(uv_loop_t* loop, std::function<void(Error)> on_timeout) {
  loop_ = loop;
  on_timeout_ = std::move(on_timeout);
  if (request_.timeout_ms != 0) ArmTimer(request_.timeout_ms);
}

void ExecChannel::ArmTimer(uint64_t ms) {
  if (loop_ == nullptr) return;
  if (!timer_.initialized()) timer_.Init(loop_);  // only commands with a bound need one
  timer_.Start(ms, 0, [this] { OnTimer(); });
}

void ExecChannel::OnTimer() {
  if (stopping_) {
    // The server did not confirm the close in time: settle with what is known.
    Settle(ExitResult());
    return;
  }
  // A copy: settling may free this channel (a queued one is dropped), and the function with it.
  const std::function<void(Error)> on_timeout = on_timeout_;
  if (on_timeout) {
    on_timeout(MakeError(codes::kTimeout, codes::kLevelTimeout,
                         "Timeout error: the command did not finish within " +
                             SecondsText(request_.timeout_ms) + " s"));
  }
}

bool ExecChannel::WantsInput() const {
  if (phase_ == Phase::kDone) return false;
  if (phase_ == Phase::kStream && request_.stream && unacked_ >= kStreamHighWater) return false;
  return !no_slot_;
}

void ExecChannel::Settle(Event event) {
  if (settled_) return;
  settled_ = true;
  timer_.Stop();
  emit_(std::move(event));
}

void ExecChannel::Cancel(Error error) {
  if (settled_) return;
  Event event;
  event.request_id = request_id_;
  event.kind = EventKind::kExecFinished;
  event.ok = false;
  event.error = std::move(error);
  Settle(std::move(event));
  EndInBackground();
}

void ExecChannel::EndInBackground() {
  cancelled_ = true;
  result_.out.Clear();
  result_.err.Clear();
  // Not opened yet (no channel, nothing sent): nothing to close on the server.
  if (phase_ == Phase::kOpen && channel_ == nullptr) phase_ = Phase::kDone;
  if (phase_ == Phase::kStream) phase_ = Phase::kSignal;
}

void ExecChannel::Stop() {
  if (settled_ || stopping_) return;
  if (phase_ == Phase::kStream) {
    // Running: TERM and close; the result waits for the channel's close (StepShutdown).
    stopping_ = true;
    phase_ = Phase::kSignal;
    ArmTimer(kStopBoundMs);
    return;
  }
  if (phase_ != Phase::kOpen && phase_ != Phase::kEnv && phase_ != Phase::kPty &&
      phase_ != Phase::kExec) {
    return;  // ended on its own: it settles with its own exit once the channel has closed
  }
  // Not started yet (or its exec request still unanswered): nothing ran to report.
  Event event;
  event.request_id = request_id_;
  event.kind = EventKind::kExecFinished;
  event.cancelled = true;
  Settle(std::move(event));
  EndInBackground();
}

void ExecChannel::Abandon(Error error) {
  Cancel(std::move(error));
  channel_ = nullptr;
  phase_ = Phase::kDone;
}

void ExecChannel::Ack(uint64_t bytes) { unacked_ = bytes >= unacked_ ? 0 : unacked_ - bytes; }

ExecChannel::Status ExecChannel::ChannelError(int rc, const char* prefix) {
  if (IsTransportError(rc)) {
    transport_error_ = LastSshError(session_, rc, "Connection error: ", codes::kConnectionLost,
                                    codes::kLevelConnect);
    if (phase_ == Phase::kExec && request_.command.size() > kLongCommandBytes) {
      // Servers with smaller limits close the connection on a long exec request instead of
      // refusing it (Dropbear past 9000 bytes).
      transport_error_.message +=
          "; the command was " + std::to_string(request_.command.size()) +
          " bytes, which this server may not accept in one request: " + kStdinHint;
    }
    return Status::kTransportError;
  }
  Error error = LastSshError(session_, rc, prefix, codes::kChannelFailed, codes::kLevelChannel);
  return FailCommand(std::move(error));
}

ExecChannel::Status ExecChannel::FailCommand(Error error) {
  Cancel(std::move(error));
  // A refused or failed request is not tried again: the channel is closed (libssh2 would send
  // the same request anew on the next call, or refuse to reuse the channel, forever).
  if (channel_ != nullptr &&
      (phase_ == Phase::kEnv || phase_ == Phase::kPty || phase_ == Phase::kExec)) {
    phase_ = Phase::kClose;
  }
  return Status::kProgress;
}

ExecChannel::Status ExecChannel::Step() {
  switch (phase_) {
    case Phase::kOpen: return StepOpen();
    case Phase::kEnv:
    case Phase::kPty:
    case Phase::kExec: return StepRequests();
    case Phase::kStream: return StepStream();
    case Phase::kSignal:
    case Phase::kClose:
    case Phase::kWaitClosed:
    case Phase::kFree: return StepShutdown();
    case Phase::kDone: return Status::kDone;
  }
  return Status::kDone;
}

ExecChannel::Status ExecChannel::StepOpen() {
  if (no_slot_) return Status::kWaiting;
  if (channel_ == nullptr && request_.command.size() > kMaxCommandBytes) {
    Cancel(MakeError(codes::kChannelFailed, codes::kLevelChannel,
                     TooLongMessage(request_.command.size()), LIBSSH2_ERROR_INVAL));
    phase_ = Phase::kDone;
    return Status::kDone;
  }
  bool sent_now = false;
  if (channel_ == nullptr) {
    // Two-step open (libssh2 patch 0006): the request goes out now and the answer is collected
    // below, so any number of channels of the session can be opening at once.
    channel_ = libssh2_channel_open_session_start(session_);
    if (channel_ == nullptr) return OpenFailed(libssh2_session_last_errno(session_));
    sent_now = true;
  }
  const int rc = libssh2_channel_open_finish(channel_);
  if (rc == LIBSSH2_ERROR_EAGAIN) return sent_now ? Status::kProgress : Status::kWaiting;
  if (rc != 0) {
    channel_ = nullptr;  // libssh2 freed it
    return OpenFailed(rc);
  }
  phase_ = cancelled_ ? Phase::kClose : Phase::kEnv;
  return Status::kProgress;
}

ExecChannel::Status ExecChannel::OpenFailed(int rc) {
  if (cancelled_) {
    phase_ = Phase::kDone;
    return Status::kDone;
  }
  if (rc == LIBSSH2_ERROR_CHANNEL_FAILURE) {
    // Often the server's session limit (OpenSSH MaxSessions): the session decides whether to
    // wait for another channel to finish or to fail.
    no_slot_ = true;
    return Status::kNoSlot;
  }
  ChannelError(rc, "Channel error: ");
  if (IsTransportError(rc)) return Status::kTransportError;
  phase_ = Phase::kDone;
  return Status::kDone;
}

ExecChannel::Status ExecChannel::StepRequests() {
  if (phase_ == Phase::kEnv) {
    while (env_index_ < request_.env.size()) {
      const auto& entry = request_.env[env_index_];
      int rc = libssh2_channel_setenv_ex(
          channel_, entry.first.data(), static_cast<unsigned int>(entry.first.size()),
          entry.second.data(), static_cast<unsigned int>(entry.second.size()));
      if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
      // sshd refuses names outside AcceptEnv; like OpenSSH's client, go on without them.
      if (rc < 0 && rc != LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED) {
        return ChannelError(rc, "Channel error: ");
      }
      ++env_index_;
    }
    phase_ = cancelled_ ? Phase::kClose : Phase::kPty;
  }
  if (phase_ == Phase::kPty) {
    if (request_.pty) {
      int rc = libssh2_channel_request_pty_ex(
          channel_, request_.term.data(), static_cast<unsigned int>(request_.term.size()), nullptr,
          0, static_cast<int>(request_.cols), static_cast<int>(request_.rows), 0, 0);
      if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
      if (rc == LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED) {
        return FailCommand(MakeError(codes::kChannelFailed, codes::kLevelChannel,
                                     "Pty error: the server refused the pseudo-terminal request",
                                     rc));
      }
      if (rc < 0) return ChannelError(rc, "Pty error: ");
    }
    phase_ = cancelled_ ? Phase::kClose : Phase::kExec;
  }
  if (phase_ == Phase::kExec) {
    int rc = libssh2_channel_process_startup(channel_, "exec", 4, request_.command.data(),
                                             static_cast<unsigned int>(request_.command.size()));
    if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
    if (rc == LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED) {
      return FailCommand(MakeError(codes::kChannelFailed, codes::kLevelChannel,
                                   "Exec error: the server refused to run the command (exec "
                                   "request denied)",
                                   rc));
    }
    if (rc == LIBSSH2_ERROR_INVAL) {
      return FailCommand(MakeError(codes::kChannelFailed, codes::kLevelChannel,
                                   TooLongMessage(request_.command.size()), rc));
    }
    if (rc < 0) return ChannelError(rc, "Exec error: ");
    phase_ = cancelled_ ? Phase::kSignal : Phase::kStream;
  }
  return Status::kProgress;
}

void ExecChannel::Deliver(int stream, const char* data, size_t length) {
  if (cancelled_ || settled_ || stopping_) return;  // drained and dropped
  if (request_.stream) {
    Event chunk;
    chunk.request_id = request_id_;
    chunk.kind = EventKind::kExecData;
    chunk.final = false;
    chunk.stream_index = stream;
    if (!(stream == 0 ? chunk.out : chunk.err).Assign(data, length)) return OutOfMemory(stream);
    unacked_ += length;
    emit_(std::move(chunk));
    return;
  }
  ByteBuffer& sink = stream == 0 ? result_.out : result_.err;
  const uint64_t cap = stream == 0 ? request_.max_stdout : request_.max_stderr;
  size_t keep = length;
  if (cap != 0 && sink.size() + length > cap) {
    keep = cap > sink.size() ? static_cast<size_t>(cap - sink.size()) : 0;
    (stream == 0 ? result_.out_truncated : result_.err_truncated) = true;
  }
  if (!sink.Append(data, keep)) OutOfMemory(stream);
}

void ExecChannel::OutOfMemory(int stream) {
  const size_t held = (stream == 0 ? result_.out : result_.err).size();
  Cancel(MakeError(codes::kChannelFailed, codes::kLevelChannel,
                   std::string("Read error: out of memory holding the command's ") +
                       (stream == 0 ? "stdout" : "stderr") + " (" + std::to_string(held) +
                       " bytes so far); set maxBuffer or stream the output",
                   0));
}

ExecChannel::Status ExecChannel::StepStdin(bool* progress) {
  if (!stdin_closed_ && libssh2_channel_closed_by_peer(channel_) == 1) {
    // The command ended without reading all of its stdin (`head -c 10` fed 50 MB): the server
    // takes no more and opens no more window, so the rest is dropped (libssh2 patch 0025).
    stdin_.Drop();
    stdin_closed_ = true;
    *progress = true;
  }
  if (!stdin_closed_) {
    const ssize_t n = stdin_.WriteTo(channel_);
    if (n < 0) return ChannelError(static_cast<int>(n), "Channel error: ");
    if (n > 0) *progress = true;
  }
  if (!stdin_closed_ && stdin_.finished()) {
    int rc = libssh2_channel_send_eof(channel_);
    if (rc == 0) {
      stdin_closed_ = true;
      *progress = true;
    } else if (rc != LIBSSH2_ERROR_EAGAIN) {
      return ChannelError(rc, "Channel error: ");
    }
  }
  // Pieces written after a drop count as taken too: their writers must not wait.
  if (stdin_.streaming()) {
    const uint64_t taken = stdin_.TakeTakenCount();
    if (taken > 0 && !settled_) {
      Event event;
      event.request_id = request_id_;
      event.kind = EventKind::kExecStdin;
      event.final = false;
      event.stdin_taken = taken;
      emit_(std::move(event));
    }
  }
  return Status::kProgress;
}

ExecChannel::Status ExecChannel::StepStream() {
  bool progress = false;
  // stdin first, then EOF, so commands that read stdin terminate (OPI never sent EOF).
  const Status stdin_status = StepStdin(&progress);
  if (stdin_status != Status::kProgress) return stdin_status;
  if (phase_ != Phase::kStream) return Status::kProgress;  // the command failed

  // stdout and stderr are read in turns, so a command that fills one cannot stall the other.
  static thread_local std::vector<char> buffer(kReadChunk);
  size_t budget = kReadBudget;
  bool open[2] = {true, true};
  while (budget > 0 && (open[0] || open[1]) && WantsInput()) {
    bool read_any = false;
    for (int stream = 0; stream < 2; ++stream) {
      if (!open[stream] || !WantsInput()) continue;
      ssize_t n = libssh2_channel_read_ex(channel_, stream == 0 ? 0 : SSH_EXTENDED_DATA_STDERR,
                                          buffer.data(), buffer.size());
      if (n > 0) {
        Deliver(stream, buffer.data(), static_cast<size_t>(n));
        read_any = true;
        progress = true;
        budget = budget > static_cast<size_t>(n) ? budget - static_cast<size_t>(n) : 0;
      } else if (n == 0 || n == LIBSSH2_ERROR_EAGAIN) {
        open[stream] = false;
      } else {
        return ChannelError(static_cast<int>(n), "Read error: ");
      }
    }
    if (!read_any) break;
  }
  if (budget == 0) return Status::kProgress;
  // The reads may have taken the server's close: stdin must stop (next round) before any wait.
  if (!stdin_closed_ && libssh2_channel_closed_by_peer(channel_) == 1) return Status::kProgress;
  if (!WantsInput()) return progress ? Status::kProgress : Status::kWaiting;
  if (stdin_closed_ && !open[0] && !open[1] && libssh2_channel_eof(channel_) == 1) {
    phase_ = Phase::kClose;
    return Status::kProgress;
  }
  return progress ? Status::kProgress : Status::kWaiting;
}

ExecChannel::Status ExecChannel::StepShutdown() {
  if (phase_ == Phase::kSignal) {
    // Ask the server to end the remote process (RFC 4254 §6.9); servers may ignore it.
    int rc = libssh2_channel_signal_ex(channel_, "TERM", 4);
    if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
    phase_ = Phase::kClose;
  }
  if (phase_ == Phase::kClose) {
    int rc = libssh2_channel_close(channel_);
    if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
    if (rc < 0 && IsTransportError(rc)) return ChannelError(rc, "");
    phase_ = Phase::kWaitClosed;
  }
  if (phase_ == Phase::kWaitClosed) {
    // Drain what is still queued for this channel so the close can be seen.
    static thread_local char sink[16384];
    while (libssh2_channel_read_ex(channel_, 0, sink, sizeof(sink)) > 0) {
    }
    while (libssh2_channel_read_ex(channel_, SSH_EXTENDED_DATA_STDERR, sink, sizeof(sink)) > 0) {
    }
    int rc = libssh2_channel_wait_closed(channel_);
    if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
    if (rc < 0 && IsTransportError(rc)) return ChannelError(rc, "");
    if (!settled_) Settle(ExitResult());
    phase_ = Phase::kFree;
  }
  int rc = libssh2_channel_free(channel_);
  if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
  channel_ = nullptr;
  phase_ = Phase::kDone;
  return Status::kDone;
}

Event ExecChannel::ExitResult() {
  Event result = std::move(result_);
  result.request_id = request_id_;
  result.kind = EventKind::kExecFinished;
  result.cancelled = stopping_;
  if (channel_ == nullptr) return result;
  char* signal_name = nullptr;
  size_t signal_length = 0;
  libssh2_channel_get_exit_signal(channel_, &signal_name, &signal_length, nullptr, nullptr, nullptr,
                                  nullptr);
  if (signal_name != nullptr && signal_length > 0) {
    result.exit_signal.assign(signal_name, signal_length);
  }
  if (signal_name != nullptr) libssh2_free(session_, signal_name);
  // libssh2 reports 0 both for "exit 0" and "no status"; OpenSSH always sends one for a command
  // that ended on its own. A stopped one reports a status only when the server sent one.
  if (result.exit_signal.empty() &&
      (!stopping_ || libssh2_channel_exit_status_received(channel_) == 1)) {
    result.has_exit_status = true;
    result.exit_status = libssh2_channel_get_exit_status(channel_);
  }
  return result;
}

}  // namespace native_ssh::core
