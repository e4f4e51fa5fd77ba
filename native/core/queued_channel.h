// What ChannelQueue schedules: one channel of a connection that takes one of the server's session
// slots (a command, ExecChannel; an SFTP session, SftpChannel). The queue steps it once per pump
// round, parks it when the server refuses a slot (kNoSlot) and gives it another chance when a
// slot frees (Requeue), and settles it with an error when the connection ends (Cancel, Abandon).
//
// Engine thread only; driven by Session::Pump through ChannelQueue::Step.
#ifndef NATIVE_SSH_CORE_QUEUED_CHANNEL_H_
#define NATIVE_SSH_CORE_QUEUED_CHANNEL_H_

#include <cstdint>

#include "core/messages.h"

namespace native_ssh::core {

class ExecChannel;
class SftpChannel;

class QueuedChannel {
 public:
  enum class Status {
    kWaiting,         // nothing more can happen until the socket is ready
    kProgress,        // something happened; call Step again
    kDone,            // finished and freed: remove it
    kNoSlot,          // the server refused the channel: wait for another channel to finish
    kTransportError,  // the session's transport failed: the whole session must go
  };

  explicit QueuedChannel(uint64_t request_id) : request_id_(request_id) {}
  virtual ~QueuedChannel() = default;
  QueuedChannel(const QueuedChannel&) = delete;
  QueuedChannel& operator=(const QueuedChannel&) = delete;

  virtual Status Step() = 0;
  // Settles what is pending with `error` now; the channel ends in the background.
  virtual void Cancel(Error error) = 0;
  // Settles with `error` and forgets the channel (the session is about to be freed).
  virtual void Abandon(Error error) = 0;
  // Whether this channel wants the socket read now.
  virtual bool WantsInput() const = 0;
  // Open with nothing to do (an SFTP session between operations): the connection counts as idle.
  virtual bool Idle() const { return false; }
  // A channel the server refused gets a new chance to open.
  virtual void Requeue() = 0;
  // The kind, for requests only one kind takes (nullptr for the other).
  virtual ExecChannel* AsExec() { return nullptr; }
  virtual SftpChannel* AsSftp() { return nullptr; }

  uint64_t request_id() const { return request_id_; }
  // Set when Step returned kTransportError.
  const Error& transport_error() const { return transport_error_; }

  // ChannelQueue's bookkeeping: the channel was given a slot another channel freed, and how often
  // the server refused it after that.
  void MarkRequeued() { requeued_ = true; }
  bool requeued() const { return requeued_; }
  int CountLateRefusal() { return ++late_refusals_; }

 protected:
  const uint64_t request_id_;
  Error transport_error_;

 private:
  bool requeued_ = false;
  int late_refusals_ = 0;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_QUEUED_CHANNEL_H_
