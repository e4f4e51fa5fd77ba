// What one connection tells JavaScript about itself (commands report their own, ExecChannel):
// the answers to its connect and close requests, the host key events, the login's results (host
// key, banner, agreed algorithms, auth methods, known_hosts notes), and its notices, "debug" lines
// when asked and "lost" once. Holds the request ids those events go to; sends through the
// SessionHost.
//
// Owned by one Session; engine thread only.
#ifndef NATIVE_SSH_CORE_SESSION_EVENTS_H_
#define NATIVE_SSH_CORE_SESSION_EVENTS_H_

#include <libssh2.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/authenticator.h"
#include "core/host_key_stage.h"
#include "core/messages.h"
#include "core/session_host.h"

namespace native_ssh::core {

class SessionEvents {
 public:
  explicit SessionEvents(SessionHost* host) : host_(host) {}

  // The connect request: its id, and where notices go (`request`'s notice_request_id, debug).
  void Begin(uint64_t connect_request_id, const ConnectRequest& request);
  bool debug() const { return debug_; }
  void Debug(const std::string& line) {
    if (debug_) Notice("debug", line, nullptr);
  }
  // The connection failed after login: a "lost" notice, once.
  void Lost(const Error& error);

  // A kHostKey event (not final) for the connect request, to be filled and sent.
  Event HostKeyEvent() const;
  // The connect request's final events.
  void ConnectFailed(Error error);
  void Connected(LIBSSH2_SESSION* ssh, const HostKeyStage& host_key,
                 const Authenticator& authenticator, AuthType auth_type);
  // A close request to answer once the session is closed (request id 0: none); then Closed().
  void AddCloseRequest(uint64_t request_id);
  void Closed();

  void Send(Event event) { host_->Deliver(std::move(event)); }

 private:
  void Notice(const char* type, const std::string& message, const Error* error);

  SessionHost* host_;
  uint64_t connect_request_id_ = 0;
  uint64_t notice_request_id_ = 0;  // 0: no notices
  bool debug_ = false;
  bool lost_noticed_ = false;
  std::vector<uint64_t> close_request_ids_;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_SESSION_EVENTS_H_
