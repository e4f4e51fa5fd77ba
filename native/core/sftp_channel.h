// One SFTP session on its own SSH session channel (the "sftp" subsystem): opened with
// libssh2_sftp_init, then a FIFO of operations (SftpOperation) run one at a time, because libssh2
// keeps each kind of call's state in the LIBSSH2_SFTP (docs/sftp-design.md), then closed with
// libssh2_sftp_shutdown once the operations queued before the close have ended. Owns the
// LIBSSH2_SFTP (freed with its channel) and the operations waiting for their turn.
//
// libssh2_sftp_init keeps its own state in the LIBSSH2_SESSION as well, so one SFTP channel of a
// session initialises at a time: `init_owner` (ChannelQueue's) names the one that does.
//
// Engine thread only; driven by Session::Pump through ChannelQueue::Step.
#ifndef NATIVE_SSH_CORE_SFTP_CHANNEL_H_
#define NATIVE_SSH_CORE_SFTP_CHANNEL_H_

#include <libssh2.h>
#include <libssh2_sftp.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>

#include "core/messages.h"
#include "core/queued_channel.h"
#include "core/sftp_operation.h"

namespace native_ssh::core {

class SftpChannel : public QueuedChannel {
 public:
  using Emit = std::function<void(Event)>;

  // `request_id` is the open request's: its kSftp event answers once SFTP is ready (or failed),
  // and later requests name the channel by it.
  SftpChannel(LIBSSH2_SESSION* session, uint64_t request_id, uint64_t* init_owner, Emit emit);
  ~SftpChannel() override;

  Status Step() override;
  // Fails the open (when pending), every queued operation and the close request with `error`;
  // the channel is shut down in the background.
  void Cancel(Error error) override;
  void Abandon(Error error) override;
  bool WantsInput() const override;
  bool Idle() const override { return phase_ == Phase::kReady && operations_.empty() && !closing_; }
  void Requeue() override { no_slot_ = false; }
  SftpChannel* AsSftp() override { return this; }

  // Queues an operation (request.op kClose: the close, after the operations before it). After the
  // close, operations fail at once (INVALID_STATE).
  void Submit(uint64_t request_id, SftpRequest request);

 private:
  enum class Phase { kInit, kReady, kShutdown, kDone };

  Status StepInit();
  Status StepOperations();
  Status StepShutdown();
  void Answer(uint64_t request_id, Error error);

  LIBSSH2_SESSION* session_;
  LIBSSH2_SFTP* sftp_ = nullptr;
  uint64_t* init_owner_;
  Emit emit_;
  Phase phase_ = Phase::kInit;
  bool no_slot_ = false;
  bool opened_ = false;   // the open request was answered
  bool closing_ = false;  // a close was asked for (or the channel was cancelled)
  uint64_t close_request_ = 0;
  std::deque<std::unique_ptr<SftpOperation>> operations_;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_SFTP_CHANNEL_H_
