// What a Session needs from its owner, and nothing more: the loop its handles live on, where its
// events go, and the word that it has released every handle (the owner then destroys it). The
// Engine is the host; Session never sees it.
//
// Engine thread only: a session calls its host from its own calls and callbacks.
#ifndef NATIVE_SSH_CORE_SESSION_HOST_H_
#define NATIVE_SSH_CORE_SESSION_HOST_H_

#include <uv.h>

#include <cstdint>

#include "core/messages.h"

namespace native_ssh::core {

class SessionHost {
 public:
  // The engine's loop: every timer and poll handle of the session is made on it.
  virtual uv_loop_t* loop() = 0;
  // An event for JavaScript (answers, progress, notices).
  virtual void Deliver(Event event) = 0;
  // Session `id` has closed every handle: the host destroys it (from this call).
  virtual void SessionEnded(uint64_t id) = 0;

 protected:
  ~SessionHost() = default;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_SESSION_HOST_H_
