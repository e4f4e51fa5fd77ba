#include "exec_channel.h"

#include <cstring>

#include "ssh_error.h"

namespace native_ssh::core {

namespace {
constexpr size_t kReadChunk = 256 * 1024;
// Bytes read per Step before yielding, so one busy channel cannot starve the others.
constexpr size_t kReadBudget = 4 * 1024 * 1024;
}  // namespace

ExecChannel::ExecChannel(LIBSSH2_SESSION* session, uint64_t request_id, ExecRequest request)
    : session_(session), request_id_(request_id), request_(std::move(request)) {
  event_.request_id = request_id_;
  event_.kind = EventKind::kExecDone;
}

ExecChannel::~ExecChannel() = default;

ExecChannel::Status ExecChannel::Step() {
  switch (phase_) {
    case Phase::kOpen: return StepOpen();
    case Phase::kExec: return StepExec();
    case Phase::kStream: return StepStream();
    case Phase::kClose:
    case Phase::kWaitClosed:
    case Phase::kFree: return StepClose();
    case Phase::kDone: return Status::kDone;
  }
  return Status::kDone;
}

ExecChannel::Status ExecChannel::ChannelError(int rc, const char* prefix, const char* code) {
  if (IsTransportError(rc)) {
    transport_error_ = LastSshError(session_, rc, "Connection error: ", "CONNECTION_LOST", "connect");
    return Status::kTransportError;
  }
  Fail(LastSshError(session_, rc, prefix, code, "channel"));
  return Status::kDone;
}

ExecChannel::Status ExecChannel::StepOpen() {
  channel_ = libssh2_channel_open_session(session_);
  if (channel_ == nullptr) {
    int rc = libssh2_session_last_errno(session_);
    if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
    return ChannelError(rc, "Channel error: ", "CHANNEL_FAILED");
  }
  phase_ = Phase::kExec;
  return Status::kProgress;
}

ExecChannel::Status ExecChannel::StepExec() {
  int rc = libssh2_channel_process_startup(channel_, "exec", 4, request_.command.data(),
                                           static_cast<unsigned int>(request_.command.size()));
  if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
  if (rc < 0) return ChannelError(rc, "Exec error: ", "CHANNEL_FAILED");
  phase_ = Phase::kStream;
  return Status::kProgress;
}

ExecChannel::Status ExecChannel::StepStream() {
  bool progress = false;
  // stdin first, then EOF, so commands that read stdin terminate (OPI never sent EOF).
  while (stdin_offset_ < request_.stdin_data.size()) {
    ssize_t n = libssh2_channel_write(
        channel_, reinterpret_cast<const char*>(request_.stdin_data.data()) + stdin_offset_,
        request_.stdin_data.size() - stdin_offset_);
    if (n == LIBSSH2_ERROR_EAGAIN) break;
    if (n < 0) return ChannelError(static_cast<int>(n), "Channel error: ", "CHANNEL_FAILED");
    stdin_offset_ += static_cast<size_t>(n);
    progress = true;
  }
  if (!eof_sent_ && stdin_offset_ >= request_.stdin_data.size()) {
    int rc = libssh2_channel_send_eof(channel_);
    if (rc == 0) {
      eof_sent_ = true;
      progress = true;
    } else if (rc != LIBSSH2_ERROR_EAGAIN) {
      return ChannelError(rc, "Channel error: ", "CHANNEL_FAILED");
    }
  }

  // stdout and stderr are read in turns, so a command that fills stderr cannot stall stdout.
  size_t budget = kReadBudget;
  bool out_open = true;
  bool err_open = true;
  while (budget > 0 && (out_open || err_open)) {
    bool read_any = false;
    for (int stream = 0; stream < 2; ++stream) {
      bool& open = stream == 0 ? out_open : err_open;
      if (!open) continue;
      std::vector<char>& sink = stream == 0 ? event_.out : event_.err;
      size_t old_size = sink.size();
      sink.resize(old_size + kReadChunk);
      ssize_t n = libssh2_channel_read_ex(
          channel_, stream == 0 ? 0 : SSH_EXTENDED_DATA_STDERR, sink.data() + old_size, kReadChunk);
      sink.resize(old_size + (n > 0 ? static_cast<size_t>(n) : 0));
      if (n > 0) {
        read_any = true;
        progress = true;
        budget = budget > static_cast<size_t>(n) ? budget - static_cast<size_t>(n) : 0;
      } else if (n == 0 || n == LIBSSH2_ERROR_EAGAIN) {
        open = false;
      } else {
        return ChannelError(static_cast<int>(n), "Read error: ", "CHANNEL_FAILED");
      }
    }
    if (!read_any) break;
  }
  if (budget == 0) return Status::kProgress;

  if (libssh2_channel_eof(channel_) == 1 && eof_sent_) {
    // Both streams drained (the reads above returned 0 or EAGAIN after EOF): nothing more comes.
    char probe;
    ssize_t a = libssh2_channel_read_ex(channel_, 0, &probe, 0);
    ssize_t b = libssh2_channel_read_ex(channel_, SSH_EXTENDED_DATA_STDERR, &probe, 0);
    (void)a;
    (void)b;
    phase_ = Phase::kClose;
    return Status::kProgress;
  }
  return progress ? Status::kProgress : Status::kWaiting;
}

ExecChannel::Status ExecChannel::StepClose() {
  if (phase_ == Phase::kClose) {
    int rc = libssh2_channel_close(channel_);
    if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
    if (rc < 0 && IsTransportError(rc)) return ChannelError(rc, "", "");
    phase_ = Phase::kWaitClosed;
  }
  if (phase_ == Phase::kWaitClosed) {
    int rc = libssh2_channel_wait_closed(channel_);
    if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
    if (rc < 0 && IsTransportError(rc)) return ChannelError(rc, "", "");
    char* signal_name = nullptr;
    size_t signal_length = 0;
    libssh2_channel_get_exit_signal(channel_, &signal_name, &signal_length, nullptr, nullptr,
                                    nullptr, nullptr);
    if (signal_name != nullptr && signal_length > 0) {
      event_.exit_signal.assign(signal_name, signal_length);
    }
    if (signal_name != nullptr) libssh2_free(session_, signal_name);
    if (event_.exit_signal.empty()) {
      // libssh2 reports 0 both for "exit 0" and "no status yet"; after a close with no signal
      // OpenSSH always sends exit-status first, so 0 here is a real 0.
      event_.has_exit_status = true;
      event_.exit_status = libssh2_channel_get_exit_status(channel_);
    }
    phase_ = Phase::kFree;
  }
  int rc = libssh2_channel_free(channel_);
  if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
  channel_ = nullptr;
  phase_ = Phase::kDone;
  return Status::kDone;
}

void ExecChannel::Fail(Error error) {
  event_.ok = false;
  event_.error = std::move(error);
  event_.out.clear();
  event_.err.clear();
  phase_ = Phase::kDone;
  // A failed channel is not freed here: libssh2_channel_free may need the network; the session
  // frees leftovers when it closes.
}

Event ExecChannel::TakeEvent() {
  return std::move(event_);
}

}  // namespace native_ssh::core
