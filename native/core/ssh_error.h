// Turning libssh2 and socket failures into the project's Error values (stable code, level,
// message with OPI's prefix). Engine thread only.
#ifndef NATIVE_SSH_CORE_SSH_ERROR_H_
#define NATIVE_SSH_CORE_SSH_ERROR_H_

#include <libssh2.h>

#include <cstdint>
#include <string>

#include "core/messages.h"

namespace native_ssh::core {

Error MakeError(std::string code, std::string level, std::string message, int ssh_errno = 0);

// The session's last libssh2 error as an Error: "<prefix><libssh2 message> (libssh2 error N)".
Error LastSshError(LIBSSH2_SESSION* session, int rc, const std::string& prefix,
                   const std::string& code, const std::string& level);

// The text of the session's last libssh2 error.
std::string LastSshMessage(LIBSSH2_SESSION* session);

// True when `rc` means the transport is gone (socket closed, reset, decrypt failure, ...): every
// channel of the session fails, not only the one that saw it.
bool IsTransportError(int rc);

// strerror text for an errno value, as "Connection refused (os error 111)".
std::string OsErrorText(int err);

// A duration for messages, in seconds as "%g" writes them: 30000 -> "30", 1500 -> "1.5".
std::string SecondsText(uint64_t ms);

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_SSH_ERROR_H_
