// One SSH connection: TCP (direct or through a proxy whose handshake runs here), key exchange,
// host key hand-off to JavaScript, login, then any number of commands, each on its own channel.
// Owns the socket, its uv_poll watcher, the timers, the LIBSSH2_SESSION and every ExecChannel.
//
// Engine thread only. Every libssh2 call runs from Pump(), which drives all pending work until
// each part reports EAGAIN, then waits on the socket in the directions libssh2 asks for.
#ifndef NATIVE_SSH_CORE_SESSION_H_
#define NATIVE_SSH_CORE_SESSION_H_

#include <libssh2.h>
#include <uv.h>

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "algorithm_offer.h"
#include "authenticator.h"
#include "callback_context.h"
#include "channel_queue.h"
#include "exec_channel.h"
#include "host_key_stage.h"
#include "kexinit_sniffer.h"
#include "proxy/handshake.h"
#include "request.h"
#include "socket_watch.h"
#include "tcp_connector.h"

namespace native_ssh::core {

class Engine;

class Session {
 public:
  Session(Engine* engine, uint64_t id);
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
  void CancelExec(uint64_t request_id, Error error);
  // JavaScript consumed `bytes` of a streaming command's output.
  void AckExec(uint64_t request_id, uint64_t bytes);
  // JavaScript stopped reading a command: it is ended (ExecChannel::Stop).
  void StopExec(uint64_t request_id);
  // A piece of a command's streamed stdin, and its end (ExecRequest::stdin_stream).
  void WriteStdin(uint64_t request_id, std::vector<uint8_t> bytes);
  void EndStdin(uint64_t request_id);
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


  void StartTcp();
  void OnTcpWritable();
  void AfterTcp();
  void StartSsh();
  bool StepProxy();
  bool StepHandshake();
  bool StepAuth();
  bool StepChannels();
  bool StepClosing();
  void Pump();
  void SchedulePump();
  void UpdateWatch();
  void WatchSocket(int fd);
  void ReleaseWatch();
  void OnSocketEvent(int status, int events);
  void FailConnect(Error error);
  void BreakTransport(Error error);
  void FinishClose();
  void TearDown();
  void Emit(Event event);
  // Connection-level notices (not answers to a request): "lost" once, "debug" lines when asked.
  void Notice(const char* type, std::string message);
  void Debug(const std::string& message) {
    if (request_.debug) Notice("debug", message);
  }
  std::string StageName() const;
  void MaybeForget();

  static void OnConnectTimer(uv_timer_t* handle);
  static void OnPumpTimer(uv_timer_t* handle);
  static void OnKeepaliveTimer(uv_timer_t* handle);
  void StartKeepalive();
  static void OnHandleClosed(uv_handle_t* handle);

  Engine* engine_;
  uint64_t id_;
  State state_ = State::kNew;
  ConnectRequest request_;
  uint64_t connect_request_id_ = 0;
  std::vector<uint64_t> close_request_ids_;
  TcpConnector connector_;
  std::unique_ptr<proxy::Handshake> proxy_;
  WipedString proxy_output_;  // may hold proxy credentials: zeroed as it is sent (core/wipe.h)
  CallbackContext callbacks_;
  SocketWatch* watch_ = nullptr;
  LIBSSH2_SESSION* ssh_ = nullptr;
  Authenticator authenticator_;
  KexinitSniffer sniffer_;
  AlgorithmOffer offer_;
  HostKeyStage host_key_;
  bool awaiting_recheck_ = false;  // kAwaitHostKey for HostKeyRecheck (not yet a verdict)
  bool lost_noticed_ = false;
  ChannelQueue commands_;
  uv_timer_t connect_timer_{};
  uv_timer_t pump_timer_{};
  uv_timer_t keepalive_timer_{};
  int open_handles_ = 0;
  int wanted_directions_ = 0;
  bool pumping_ = false;
  bool pump_again_ = false;
  bool torn_down_ = false;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_SESSION_H_
