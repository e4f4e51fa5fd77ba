#include "core/sftp_channel.h"

#include <string>

#include "core/codes.h"
#include "core/ssh_error.h"

namespace native_ssh::core {

SftpChannel::SftpChannel(LIBSSH2_SESSION* session, uint64_t request_id, uint64_t* init_owner,
                         Emit emit)
    : QueuedChannel(request_id),
      session_(session),
      init_owner_(init_owner),
      emit_(std::move(emit)) {}

SftpChannel::~SftpChannel() {
  if (*init_owner_ == request_id_) *init_owner_ = 0;
}

void SftpChannel::Answer(uint64_t request_id, Error error) {
  emit_(Event::Failed(request_id, EventKind::kSftp, std::move(error)));
}

void SftpChannel::Submit(uint64_t request_id, SftpRequest request) {
  if (closing_) {
    Answer(request_id, MakeError(codes::kInvalidState, codes::kLevelSftp,
                                 "SFTP error: the SFTP session is closed"));
    return;
  }
  if (request.op == SftpOp::kClose) {
    closing_ = true;
    close_request_ = request_id;
    return;
  }
  operations_.push_back(std::make_unique<SftpOperation>(request_id, std::move(request)));
}

bool SftpChannel::WantsInput() const {
  if (phase_ == Phase::kDone || no_slot_) return false;
  // An idle open channel reads nothing (level-triggered polling would spin on what arrives).
  return phase_ != Phase::kReady || !operations_.empty() || closing_;
}

void SftpChannel::Cancel(Error error) {
  if (!opened_) {
    opened_ = true;
    Answer(request_id_, error);
  }
  for (auto& operation : operations_) emit_(operation->Failed(error));
  operations_.clear();
  if (close_request_ != 0) Answer(close_request_, error);
  close_request_ = 0;
  closing_ = true;
  // Not started: nothing to end. Initialising: libssh2 must finish (its state is the session's).
  if (phase_ == Phase::kInit && *init_owner_ != request_id_) phase_ = Phase::kDone;
}

void SftpChannel::Abandon(Error error) {
  Cancel(std::move(error));
  sftp_ = nullptr;  // freed with its channel when the session is freed
  phase_ = Phase::kDone;
}

QueuedChannel::Status SftpChannel::Step() {
  switch (phase_) {
    case Phase::kInit: return StepInit();
    case Phase::kReady: return StepOperations();
    case Phase::kShutdown: return StepShutdown();
    case Phase::kDone: return Status::kDone;
  }
  return Status::kDone;
}

QueuedChannel::Status SftpChannel::StepInit() {
  if (no_slot_) return Status::kWaiting;
  if (*init_owner_ != 0 && *init_owner_ != request_id_) return Status::kWaiting;
  *init_owner_ = request_id_;
  sftp_ = libssh2_sftp_init(session_);
  if (sftp_ == nullptr) {
    const int rc = libssh2_session_last_errno(session_);
    if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
    *init_owner_ = 0;
    const std::string why = LastSshMessage(session_);
    if (closing_) {
      phase_ = Phase::kDone;
      return Status::kDone;
    }
    if (IsTransportError(rc)) {
      transport_error_ = LastSshError(session_, rc, "Connection error: ", codes::kConnectionLost,
                                      codes::kLevelConnect);
      return Status::kTransportError;
    }
    if (why.find("subsystem") == std::string::npos && rc == LIBSSH2_ERROR_CHANNEL_FAILURE) {
      // The channel was refused, often the server's session limit: the queue decides.
      no_slot_ = true;
      return Status::kNoSlot;
    }
    opened_ = true;
    Answer(request_id_, LastSshError(session_, rc, "SFTP error: cannot start SFTP: ",
                                     codes::kSftpFailed, codes::kLevelSftp));
    phase_ = Phase::kDone;
    return Status::kDone;
  }
  *init_owner_ = 0;
  phase_ = closing_ ? Phase::kShutdown : Phase::kReady;
  if (!opened_) {
    opened_ = true;
    Event event;
    event.request_id = request_id_;
    event.kind = EventKind::kSftp;
    emit_(std::move(event));
  }
  return Status::kProgress;
}

QueuedChannel::Status SftpChannel::StepOperations() {
  if (operations_.empty()) {
    if (!closing_) return Status::kWaiting;
    phase_ = Phase::kShutdown;
    return Status::kProgress;
  }
  SftpOperation& operation = *operations_.front();
  switch (operation.Step(session_, sftp_)) {
    case SftpOperation::Status::kWaiting: return Status::kWaiting;
    case SftpOperation::Status::kProgress: return Status::kProgress;
    case SftpOperation::Status::kTransportError:
      transport_error_ = operation.transport_error();
      return Status::kTransportError;
    case SftpOperation::Status::kFinished: break;
  }
  Event result = operation.TakeResult();
  operations_.pop_front();
  emit_(std::move(result));
  return Status::kProgress;
}

QueuedChannel::Status SftpChannel::StepShutdown() {
  const int rc = libssh2_sftp_shutdown(sftp_);
  if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
  sftp_ = nullptr;
  if (rc < 0 && IsTransportError(rc)) {
    transport_error_ = LastSshError(session_, rc, "Connection error: ", codes::kConnectionLost,
                                    codes::kLevelConnect);
    return Status::kTransportError;
  }
  phase_ = Phase::kDone;
  if (close_request_ != 0) {
    Event event;
    event.request_id = close_request_;
    event.kind = EventKind::kSftp;
    close_request_ = 0;
    emit_(std::move(event));
  }
  return Status::kDone;
}

}  // namespace native_ssh::core
