// One command on its own SSH session channel (RFC 4254 §6.5): open, exec, stdin then EOF, stdout
// and stderr read interleaved, exit status or signal, close. Owns its LIBSSH2_CHANNEL and the
// output collected so far. Engine thread only; driven by Session::Pump through Step().
#ifndef NATIVE_SSH_CORE_EXEC_CHANNEL_H_
#define NATIVE_SSH_CORE_EXEC_CHANNEL_H_

#include <libssh2.h>

#include <cstdint>

#include "request.h"

namespace native_ssh::core {

class ExecChannel {
 public:
  enum class Status {
    kWaiting,         // nothing more can happen until the socket is ready
    kProgress,        // something happened; call Step again
    kDone,            // finished (result or channel error): TakeEvent()
    kTransportError,  // the session's transport failed: the whole session must go
  };

  ExecChannel(LIBSSH2_SESSION* session, uint64_t request_id, ExecRequest request);
  ~ExecChannel();
  ExecChannel(const ExecChannel&) = delete;
  ExecChannel& operator=(const ExecChannel&) = delete;

  Status Step();
  uint64_t request_id() const { return request_id_; }
  const Error& transport_error() const { return transport_error_; }

  // Ends the command with `error` (no result). The channel is left for libssh2_session_free.
  void Fail(Error error);
  // The session is about to be freed with libssh2_session_free, which frees this channel too.
  void Detach() { channel_ = nullptr; }

  Event TakeEvent();

 private:
  enum class Phase { kOpen, kExec, kStream, kClose, kWaitClosed, kFree, kDone };

  Status StepOpen();
  Status StepExec();
  Status StepStream();
  Status StepClose();
  Status ChannelError(int rc, const char* prefix, const char* code);

  LIBSSH2_SESSION* session_;
  LIBSSH2_CHANNEL* channel_ = nullptr;
  uint64_t request_id_;
  ExecRequest request_;
  Phase phase_ = Phase::kOpen;
  size_t stdin_offset_ = 0;
  bool eof_sent_ = false;
  Event event_;
  Error transport_error_;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_EXEC_CHANNEL_H_
