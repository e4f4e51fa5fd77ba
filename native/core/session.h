// One SSH connection's state machine: TCP and proxy (TransportStage), key exchange
// (AlgorithmOffer), the host key hand-off to JavaScript (HostKeyStage), login (Authenticator), then
// any number of commands (ChannelQueue) with keepalives (Keepalive), and the close: a bounded SSH
// disconnect, then every handle released. Owns those parts, the socket with its libssh2 session
// (SshSocket) and its timers. Talks to its owner only through SessionHost; what it tells JavaScript
// goes through SessionEvents.
//
// Engine thread only. Every libssh2 call runs from Pump(), which drives all pending work until
// each part reports EAGAIN, then waits on the socket in the directions libssh2 asks for.
#ifndef NATIVE_SSH_CORE_SESSION_H_
#define NATIVE_SSH_CORE_SESSION_H_

#include <libssh2.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/algorithm_offer.h"
#include "core/authenticator.h"
#include "core/callback_context.h"
#include "core/channel_queue.h"
#include "core/host_key_stage.h"
#include "core/keepalive.h"
#include "core/kexinit_sniffer.h"
#include "core/messages.h"
#include "core/session_events.h"
#include "core/session_host.h"
#include "core/ssh_socket.h"
#include "core/transport_stage.h"
#include "core/uv_handle.h"

namespace native_ssh::core {

class Session {
 public:
  Session(SessionHost* host, uint64_t id);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void Connect(uint64_t request_id, ConnectRequest request);
  // JavaScript's answer to the kHostKey event: go on with the login, or stop with `refusal`.
  void HostKeyVerdict(bool accept, Error refusal);
  // accept-new met a new host: JavaScript holds the known_hosts lock and passes the file as it
  // is now. Checked again: refused (another key was recorded meanwhile), or a kHostKey event
  // with phase "recorded" and the line to append (empty when the host is now known).
  void HostKeyRecheck(std::string known_hosts_text);
  void Exec(uint64_t request_id, ExecRequest request);
  // Settles a running or queued command with `error` (TIMEOUT, ABORTED); the connection stays.
  void CancelExec(uint64_t request_id, Error error) {
    commands_.Cancel(request_id, std::move(error));
  }
  // JavaScript consumed `bytes` of a streaming command's output.
  void AckExec(uint64_t request_id, uint64_t bytes) { commands_.Ack(request_id, bytes); }
  // JavaScript stopped reading a command: it is ended (ExecChannel::Stop).
  void StopExec(uint64_t request_id) { commands_.Stop(request_id); }
  // A piece of a command's streamed stdin (ExecRequest::stdin_stream), and its end.
  void WriteStdin(uint64_t request_id, std::vector<uint8_t> bytes) {
    commands_.WriteStdin(request_id, std::move(bytes));
  }
  void EndStdin(uint64_t request_id) { commands_.EndStdin(request_id); }
  // Opens an SFTP session on a channel of its own (SftpChannel); a kSftp event answers.
  void SftpOpen(uint64_t request_id);
  // An SFTP operation or close (request.op) on the session opened by request.channel_id.
  void SftpOp(uint64_t request_id, SftpRequest request);
  // Settles pending commands, sends an SSH disconnect (bounded), frees everything.
  // request_id 0: no completion event (garbage collection, engine shutdown).
  void Close(uint64_t request_id);
  // Engine teardown: like Close, without waiting for the server.
  void Shutdown();

 private:
  enum class State {
    kNew,
    kTcpConnecting,
    kProxy,
    kHandshake,
    kAwaitHostKey,
    kAuth,
    kReady,
    kClosing,
    kBroken,  // the transport failed after login; only Close is useful
    kClosed,
  };

  // Connecting, stage after stage.
  void StartTcp();
  void OnTcpWritable();
  void AfterTcp();
  void StartSsh();
  bool StepProxy();
  bool StepHandshake();
  void StartAuth();
  bool StepAuth();
  void Connected();
  void FailConnect(Error error);
  void OnConnectTimer();
  std::string StageName() const;

  // Commands and SFTP sessions.
  // False (and request_id answered with NOT_CONNECTED in an event of `kind`) unless ready.
  bool RequireReady(uint64_t request_id, EventKind kind);
  bool StepChannels();
  void BreakTransport(Error error);

  // Closing.
  bool StepClosing();
  void FinishClose();
  void TearDown();
  void HandleClosed();

  // The socket and the pump.
  void WatchSocket(int fd);
  void OnSocketEvent(int status, int events);
  void Pump();
  void SchedulePump();
  void UpdateWatch();

  void Debug(const std::string& line) { events_.Debug(line); }

  SessionHost* host_;
  uint64_t id_;
  State state_ = State::kNew;
  ConnectRequest request_;
  SessionEvents events_;
  KexinitSniffer sniffer_;
  TransportStage transport_;
  SshSocket socket_;
  CallbackContext& io_ = socket_.io();  // what libssh2's callbacks see and report
  LIBSSH2_SESSION* ssh_ = nullptr;      // socket_'s, once made
  Authenticator authenticator_;
  AlgorithmOffer offer_;
  HostKeyStage host_key_;
  bool awaiting_recheck_ = false;  // kAwaitHostKey for HostKeyRecheck (not yet a verdict)
  ChannelQueue commands_;
  UvTimer connect_timer_;  // the connect bound, then the disconnect's
  UvTimer pump_timer_;     // another Pump on the next loop turn
  Keepalive keepalive_;
  int open_handles_ = 0;  // the session is destroyed (SessionHost) when they are all closed
  int wanted_directions_ = 0;
  bool pumping_ = false;
  bool pump_again_ = false;
  bool torn_down_ = false;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_SESSION_H_
