// One connection's keepalive (keepalive_interval_ms): a libssh2 keepalive packet every interval,
// and the verdict that the server is gone when it stayed silent for three intervals while
// commands were waiting on it (frozen, unplugged, or a black-holed route). Owns its timer.
//
// Owned by one Session; engine thread only (the timer fires on the engine's loop).
#ifndef NATIVE_SSH_CORE_KEEPALIVE_H_
#define NATIVE_SSH_CORE_KEEPALIVE_H_

#include <libssh2.h>
#include <uv.h>

#include <cstdint>
#include <functional>

#include "core/callback_context.h"
#include "core/messages.h"
#include "core/uv_handle.h"

namespace native_ssh::core {

class Keepalive {
 public:
  struct Callbacks {
    std::function<bool()> busy;          // commands are waiting on the server
    std::function<void(Error)> on_lost;  // silent too long while busy: CONNECTION_LOST
    std::function<void()> on_sent;       // a keepalive was queued: the session pumps
  };

  void Init(uv_loop_t* loop) { timer_.Init(loop); }
  // Starts sending keepalives on `ssh` every `interval_ms` (none when 0). `io` tells when the
  // server last sent anything (counted from now).
  void Start(LIBSSH2_SESSION* ssh, uint32_t interval_ms, CallbackContext* io, Callbacks callbacks);
  void Stop() { timer_.Stop(); }
  void Close(std::function<void()> on_closed) { timer_.Close(std::move(on_closed)); }

 private:
  void OnTick();

  UvTimer timer_;
  LIBSSH2_SESSION* ssh_ = nullptr;
  uint64_t interval_ms_ = 0;
  const CallbackContext* io_ = nullptr;
  Callbacks callbacks_;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_KEEPALIVE_H_
