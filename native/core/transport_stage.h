// The way to the SSH server before SSH starts: TCP to the server or to its proxy (TcpConnector,
// address after address), then the proxy's handshake (proxy::Handshake) over that socket. Owns the
// connector, the handshake and the bytes still to send to the proxy (wiped as they are sent: they
// may hold its credentials); the caller owns each socket it is handed and watches it.
//
// Owned by one Session; engine thread only.
#ifndef NATIVE_SSH_CORE_TRANSPORT_STAGE_H_
#define NATIVE_SSH_CORE_TRANSPORT_STAGE_H_

#include <memory>
#include <string>

#include "core/messages.h"
#include "core/proxy/handshake.h"
#include "core/tcp_connector.h"
#include "core/util/wipe.h"

namespace native_ssh::core {

class TransportStage {
 public:
  enum class Status {
    kWaiting,    // nothing to do until the socket is ready
    kProgress,   // bytes moved: step again
    kConnected,  // TCP is up (NextAttempt, Writable), or the proxy's tunnel is open (StepProxy)
    kRetry,      // Writable: that attempt failed; close its socket and call NextAttempt
    kFailed,     // with `error`: the connect fails
  };

  // Chooses where TCP goes (the proxy, or the host's addresses; `request` must outlive the stage)
  // and prepares the proxy's handshake. False with `error` when the proxy request cannot be made.
  bool Begin(const ConnectRequest& request, Error* error);
  bool via_proxy() const { return via_proxy_; }

  // The next TCP attempt: kConnected (at once) or kWaiting (until the socket is writable: then
  // Writable) with the socket in `fd`, now the caller's; kFailed when no address is left.
  Status NextAttempt(int* fd, Error* error);
  // The attempt's socket became writable; `socket_error` is its SO_ERROR.
  Status Writable(int socket_error);

  // TCP to the proxy is up: its handshake starts.
  void StartProxy() { output_ = proxy_->TakeOutput(); }
  // Sends what is queued and reads the proxy's reply on `fd`. kConnected: the tunnel is open, and
  // TakeLeftover() holds what the proxy already relayed from the server.
  Status StepProxy(int fd, Error* error);
  bool has_output() const { return !output_.empty(); }
  std::string TakeLeftover();

 private:
  bool via_proxy_ = false;
  TcpConnector connector_;
  std::unique_ptr<proxy::Handshake> proxy_;
  WipedString output_;  // may hold proxy credentials: zeroed as it is sent (core/util/wipe.h)
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_TRANSPORT_STAGE_H_
