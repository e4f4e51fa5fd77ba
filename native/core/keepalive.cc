#include "core/keepalive.h"

#include <algorithm>
#include <string>
#include <utility>

#include "core/codes.h"
#include "core/ssh_error.h"

namespace native_ssh::core {

void Keepalive::Start(LIBSSH2_SESSION* ssh, uint32_t interval_ms, CallbackContext* io,
                      Callbacks callbacks) {
  if (interval_ms == 0) return;
  io->last_receive_ms = uv_now(static_cast<uv_loop_t*>(io->loop));
  ssh_ = ssh;
  interval_ms_ = interval_ms;
  io_ = io;
  callbacks_ = std::move(callbacks);
  libssh2_keepalive_config(ssh_, 1, std::max(1u, interval_ms / 1000));
  timer_.Start(interval_ms, interval_ms, [this] { OnTick(); });
}

void Keepalive::OnTick() {
  const uint64_t silent_ms = uv_now(static_cast<uv_loop_t*>(io_->loop)) - io_->last_receive_ms;
  // With commands pending the socket is read, so keepalive answers refresh last_receive_ms.
  if (callbacks_.busy() && silent_ms >= 3 * interval_ms_) {
    callbacks_.on_lost(MakeError(codes::kConnectionLost, codes::kLevelConnect,
                                 "Connection error: the server did not answer keepalives for " +
                                     SecondsText(silent_ms) + " s"));
    return;
  }
  int next = 0;
  libssh2_keepalive_send(ssh_, &next);
  callbacks_.on_sent();
}

}  // namespace native_ssh::core
