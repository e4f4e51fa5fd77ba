// The channels of one connection that take a session slot (commands, SFTP sessions): those
// running, in submission order, and those the server refused for want of a slot (OpenSSH's
// MaxSessions), which wait for a running one to end and are then tried again; refused with none
// other running, a channel fails, and every waiting one with it (nothing would free a slot).
// Steps every running channel once per pump round, and routes JavaScript's requests for a
// command (cancel, stop, ack, stdin) or an SFTP session (its operations) to its channel.
//
// A channel refused again right after a slot was freed for it is tried a few more times, a moment
// apart: the server frees a session's slot a little after it answered the close (OpenSSH collects
// closed channels at the end of its loop turn).
//
// Owned by one Session; engine thread only.
#ifndef NATIVE_SSH_CORE_CHANNEL_QUEUE_H_
#define NATIVE_SSH_CORE_CHANNEL_QUEUE_H_

#include <libssh2.h>

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "core/exec_channel.h"
#include "core/messages.h"
#include "core/queued_channel.h"
#include "core/sftp_channel.h"
#include "core/uv_handle.h"

namespace native_ssh::core {

class ChannelQueue {
 public:
  struct StepResult {
    bool progress = false;
    bool transport_failed = false;  // a channel saw the connection fail: `transport_error` says how
    Error transport_error;
    int directions = 0;  // LIBSSH2_SESSION_BLOCK_* that waiting channels need
  };

  struct Hooks {
    uv_loop_t* loop;                  // the commands' timers
    std::function<void(Event)> emit;  // the commands' events
    std::function<void()> pump;       // a channel has work to do
  };
  void Init(Hooks hooks) { hooks_ = std::move(hooks); }
  // Where refusals and closes are told (debug lines); unset: nothing is built or told.
  void SetDebug(std::function<void(const std::string&)> debug) { debug_ = std::move(debug); }

  // A new command on `ssh`: its channel opens at the next step.
  void Start(LIBSSH2_SESSION* ssh, uint64_t request_id, ExecRequest request);
  // Settles a command with `error` (TIMEOUT, ABORTED) now; its channel ends in the background.
  void Cancel(uint64_t request_id, Error error);
  // JavaScript stopped reading a command (ExecChannel::Stop).
  void Stop(uint64_t request_id);
  void Ack(uint64_t request_id, uint64_t bytes);
  void WriteStdin(uint64_t request_id, std::vector<uint8_t> bytes);
  void EndStdin(uint64_t request_id);
  // A new SFTP session on `ssh`: its channel opens at the next step; the kSftp event of
  // `request_id` says when it is ready.
  void StartSftp(LIBSSH2_SESSION* ssh, uint64_t request_id);
  // An operation (or the close) for the SFTP session opened by request.channel_id.
  void SubmitSftp(uint64_t request_id, SftpRequest request);
  // One round over the running channels.
  StepResult Step(LIBSSH2_SESSION* ssh);
  // Settles every command with `error` (the channels are freed by Clear or with the queue).
  void AbandonAll(const Error& error);
  void Clear();

  // True while a channel waits on the server (an open SFTP session with nothing to do does not:
  // nothing reads the socket for it, so the connection is watched and kept alive as an idle one).
  bool running() const;
  bool idle() const { return !running() && waiting_.empty(); }
  // True when a running channel would take input now (not paused by flow control).
  bool WantsInput() const;

 private:
  // The first waiting channel runs again (it gets a freed slot).
  void PromoteWaiting();
  // A running or waiting channel, or nullptr.
  QueuedChannel* Find(uint64_t request_id);
  // Runs `action` on a command, then pumps; nothing when there is none.
  void WithCommand(uint64_t request_id, const std::function<void(ExecChannel*)>& action);
  // Runs `settle` (ExecChannel::Cancel or Stop) on a command. A waiting one is taken out of the
  // queue first: it never opened, so it settles at once and is freed (no pump).
  void Settle(uint64_t request_id, const std::function<void(ExecChannel*)>& settle);

  // The SFTP channel in libssh2_sftp_init (SftpChannel); declared first: the channels clear it
  // when they are freed.
  uint64_t sftp_init_owner_ = 0;
  std::list<std::unique_ptr<QueuedChannel>> running_;  // in submission order
  std::list<std::unique_ptr<QueuedChannel>> waiting_;  // refused by the server: wait for a slot
  UvTimer retry_timer_;  // a late refusal's next try (made on first use)
  Hooks hooks_;
  std::function<void(const std::string&)> debug_;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_CHANNEL_QUEUE_H_
