#include "core/ssh_error.h"

#include <cstdio>
#include <cstring>

namespace native_ssh::core {

Error MakeError(std::string code, std::string level, std::string message, int ssh_errno) {
  Error error;
  error.code = std::move(code);
  error.level = std::move(level);
  error.message = std::move(message);
  error.ssh_errno = ssh_errno;
  return error;
}

std::string LastSshMessage(LIBSSH2_SESSION* session) {
  char* text = nullptr;
  int length = 0;
  if (session == nullptr) return "";
  libssh2_session_last_error(session, &text, &length, 0);
  std::string message = text != nullptr ? std::string(text, static_cast<size_t>(length)) : "";
  // What the server sent that the transport refused (patch 0018): the last error only says what
  // libssh2 was doing when it happened.
  const char* refused = libssh2_session_transport_error(session);
  if (refused != nullptr && message.find(refused) == std::string::npos) {
    message += (message.empty() ? "" : ": ") + std::string(refused);
  }
  return message;
}

Error LastSshError(LIBSSH2_SESSION* session, int rc, const std::string& prefix,
                   const std::string& code, const std::string& level) {
  std::string text = LastSshMessage(session);
  if (text.empty()) text = "unknown libssh2 error";
  return MakeError(code, level, prefix + text + " (libssh2 error " + std::to_string(rc) + ")", rc);
}

bool IsTransportError(int rc) {
  switch (rc) {
    case LIBSSH2_ERROR_SOCKET_NONE:
    case LIBSSH2_ERROR_BANNER_RECV:
    case LIBSSH2_ERROR_BANNER_SEND:
    case LIBSSH2_ERROR_INVALID_MAC:
    case LIBSSH2_ERROR_KEX_FAILURE:
    case LIBSSH2_ERROR_SOCKET_SEND:
    case LIBSSH2_ERROR_SOCKET_DISCONNECT:
    case LIBSSH2_ERROR_PROTO:
    case LIBSSH2_ERROR_SOCKET_TIMEOUT:
    case LIBSSH2_ERROR_DECRYPT:
    case LIBSSH2_ERROR_SOCKET_RECV:
    case LIBSSH2_ERROR_ENCRYPT:
    case LIBSSH2_ERROR_BAD_SOCKET:
    case LIBSSH2_ERROR_OUT_OF_BOUNDARY: return true;
    default: return false;
  }
}

std::string OsErrorText(int err) {
  char buffer[256];
  const char* text = strerror_r(err, buffer, sizeof(buffer));
  return std::string(text) + " (os error " + std::to_string(err) + ")";
}

std::string SecondsText(uint64_t ms) {
  char amount[32];
  snprintf(amount, sizeof(amount), "%g", static_cast<double>(ms) / 1000.0);
  return amount;
}

}  // namespace native_ssh::core
