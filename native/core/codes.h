// The contract between the engine and TypeScript, written once: the error codes and levels an
// Error carries (SshError.code / .level in JavaScript) and the defaults both sides apply.
// lib/codes.ts is generated from this file by scripts/gen-codes.mjs (`node scripts/gen-codes.mjs`
// rewrites it; test/codes.test.mjs fails when it differs). Keep the line format: the generator
// reads `inline constexpr char kName[] = "VALUE";` and `inline constexpr uint32_t kName = N;`
// under the three section comments.
#ifndef NATIVE_SSH_CORE_CODES_H_
#define NATIVE_SSH_CORE_CODES_H_

#include <cstdint>

namespace native_ssh::core::codes {

// One constant a line, as scripts/gen-codes.mjs reads them:
// clang-format off
// -- error codes -------------------------------------------------------------------------------
inline constexpr char kInvalidSettings[] = "INVALID_SETTINGS";    // bad input, before any network work
inline constexpr char kDnsFailed[] = "DNS_FAILED";                // the host (or proxy) name does not resolve
inline constexpr char kConnectFailed[] = "CONNECT_FAILED";        // TCP connect failed
inline constexpr char kProxyAuthFailed[] = "PROXY_AUTH_FAILED";   // the proxy refused the credentials
inline constexpr char kProxyRefused[] = "PROXY_REFUSED";          // the proxy would not reach the target
inline constexpr char kProxyProtocol[] = "PROXY_PROTOCOL";        // the proxy's reply was malformed
inline constexpr char kProxyUnsupported[] = "PROXY_UNSUPPORTED";  // the proxy type cannot carry the target
inline constexpr char kHandshakeFailed[] = "HANDSHAKE_FAILED";    // key exchange, protocol or limits
inline constexpr char kHostKeyUnknown[] = "HOST_KEY_UNKNOWN";     // strict, and the host is not known
inline constexpr char kHostKeyMismatch[] = "HOST_KEY_MISMATCH";   // another key, revoked, pin, verify
inline constexpr char kAuthFailed[] = "AUTH_FAILED";              // the server refused the login
inline constexpr char kKeyInvalid[] = "KEY_INVALID";              // the key cannot be used as given
inline constexpr char kAgentFailed[] = "AGENT_FAILED";            // no ssh-agent, or it failed
inline constexpr char kChannelFailed[] = "CHANNEL_FAILED";        // a channel or request refused
inline constexpr char kConnectionLost[] = "CONNECTION_LOST";      // the transport failed after login
inline constexpr char kTimeout[] = "TIMEOUT";                     // a connect or command bound ran out
inline constexpr char kAborted[] = "ABORTED";                     // cancelled by the caller
inline constexpr char kNotConnected[] = "NOT_CONNECTED";          // the connection is closed or lost
inline constexpr char kSessionFailed[] = "SESSION_FAILED";        // libssh2 could not make a session
inline constexpr char kInvalidState[] = "INVALID_STATE";          // a call out of order
inline constexpr char kStdinFailed[] = "STDIN_FAILED";            // the caller's stdin source failed
inline constexpr char kSftpFailed[] = "SFTP_FAILED";              // the SFTP server refused an operation

// -- error levels ------------------------------------------------------------------------------
inline constexpr char kLevelSettings[] = "settings";
inline constexpr char kLevelProxy[] = "proxy";
inline constexpr char kLevelConnect[] = "connect";
inline constexpr char kLevelHandshake[] = "handshake";
inline constexpr char kLevelHostKey[] = "host-key";
inline constexpr char kLevelAuth[] = "auth";
inline constexpr char kLevelChannel[] = "channel";
inline constexpr char kLevelTimeout[] = "timeout";
inline constexpr char kLevelSftp[] = "sftp";

// -- defaults ----------------------------------------------------------------------------------
inline constexpr uint32_t kConnectTimeoutMs = 30000;  // connect_timeout / connectTimeout
inline constexpr uint32_t kPort = 22;
inline constexpr char kPtyTerm[] = "xterm";           // pty: true
inline constexpr uint32_t kPtyCols = 80;
inline constexpr uint32_t kPtyRows = 24;

// clang-format on

}  // namespace native_ssh::core::codes

#endif  // NATIVE_SSH_CORE_CODES_H_
