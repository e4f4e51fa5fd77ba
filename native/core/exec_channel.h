// One command on its own SSH session channel (RFC 4254 §6): open, env and pty requests, exec,
// stdin then EOF, stdout and stderr read in turns, exit status or signal, close. Owns its
// LIBSSH2_CHANNEL, its timer (the command's timeout, or the bound on a stop), its stdin still to
// send (StdinQueue: all of it up front, or pieces written while it runs) and the output collected
// so far (or, when streaming, the count of delivered bytes not yet consumed by JavaScript: reading
// stops above a high-water mark, so the channel window closes and the server slows down instead
// of memory growing).
//
// The command's result is emitted once (settled); the channel may live on after that while it is
// signalled, closed and freed. Engine thread only; driven by Session::Pump through Step().
#ifndef NATIVE_SSH_CORE_EXEC_CHANNEL_H_
#define NATIVE_SSH_CORE_EXEC_CHANNEL_H_

#include <libssh2.h>
#include <uv.h>

#include <cstdint>
#include <functional>

#include "core/messages.h"
#include "core/queued_channel.h"
#include "core/stdin_queue.h"
#include "core/uv_handle.h"

namespace native_ssh::core {

class ExecChannel : public QueuedChannel {
 public:
  using Emit = std::function<void(Event)>;

  ExecChannel(LIBSSH2_SESSION* session, uint64_t request_id, ExecRequest request, Emit emit);
  ~ExecChannel() override;

  Status Step() override;
  bool settled() const { return settled_; }
  // Whether this channel wants the socket read (false while paused by flow control).
  bool WantsInput() const override;
  ExecChannel* AsExec() override { return this; }

  // Settles the command with `error` now; the channel is signalled (TERM) and closed in the
  // background when it exists. No-op once settled.
  void Cancel(Error error) override;
  // Settles with `error` and forgets the channel (the session is about to be freed).
  void Abandon(Error error) override;
  // Ends a running command because JavaScript stopped reading it: TERM, close, and the command
  // settles (ok, `cancelled`, with the exit the server reported, if any) once the channel has
  // closed, or after a bound. A command that has not started yet settles at once; one that has
  // ended on its own settles as usual. No-op once settled.
  void Stop();
  // A piece of streamed stdin (request.stdin_stream), and its end.
  void WriteStdin(std::vector<uint8_t> bytes) { stdin_.Append(std::move(bytes)); }
  void EndStdin() { stdin_.End(); }
  // JavaScript consumed `bytes` of streamed output.
  void Ack(uint64_t bytes);
  // Starts the command's timeout (request.timeout_ms; none when 0). The timer is owned here and
  // closed in the destructor; `on_timeout` gets the TIMEOUT error to settle the command with
  // (Session::CancelExec). `loop` also serves Stop().
  void StartTimer(uv_loop_t* loop, std::function<void(Error)> on_timeout);
  // A queued channel gets a new chance to open.
  void Requeue() override { no_slot_ = false; }

 private:
  enum class Phase {
    kOpen,
    kEnv,
    kPty,
    kExec,
    kStream,
    kSignal,
    kClose,
    kWaitClosed,
    kFree,
    kDone
  };

  Status StepOpen();
  Status OpenFailed(int rc);
  // Settles the command with an error: its output could not be held.
  void OutOfMemory(int stream);
  Status StepRequests();
  Status StepStream();
  Status StepStdin(bool* progress);
  Status StepShutdown();
  // The exit as the channel knows it now (exit signal, or status when one was received or the
  // command was not stopped), and whether it was stopped.
  Event ExitResult();
  void ArmTimer(uint64_t ms);
  void OnTimer();
  // After an early settle: output is dropped, and the channel ends in the background.
  void EndInBackground();
  Status ChannelError(int rc, const char* prefix);
  // Settles the command with `error`; a channel whose request failed is closed, never retried.
  Status FailCommand(Error error);
  void Settle(Event event);
  void Deliver(int stream, const char* data, size_t length);

  LIBSSH2_SESSION* session_;
  LIBSSH2_CHANNEL* channel_ = nullptr;
  ExecRequest request_;
  Emit emit_;
  Phase phase_ = Phase::kOpen;
  bool no_slot_ = false;
  size_t env_index_ = 0;
  StdinQueue stdin_;
  // EOF sent, or the peer closed first: no more stdin goes out.
  bool stdin_closed_ = false;
  bool settled_ = false;
  bool cancelled_ = false;
  bool stopping_ = false;
  uint64_t unacked_ = 0;
  Event result_;
  uv_loop_t* loop_ = nullptr;
  UvTimer timer_;  // made on first use
  std::function<void(Error)> on_timeout_;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_EXEC_CHANNEL_H_
