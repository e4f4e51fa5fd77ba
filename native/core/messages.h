// The messages between the JavaScript thread and the engine thread: the requests (ConnectRequest,
// ExecRequest, SftpRequest), the events that answer them (Event, EventKind, Error) and the
// EventSink that takes events. Only owned values (strings, byte vectors, numbers) live here:
// nothing points into V8 or libssh2.
#ifndef NATIVE_SSH_CORE_MESSAGES_H_
#define NATIVE_SSH_CORE_MESSAGES_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/codes.h"
#include "core/util/byte_buffer.h"
#include "core/util/secret.h"

namespace native_ssh::core {

// One resolved address of a host (resolution happens in TypeScript, never on the engine thread).
struct Address {
  std::string ip;  // numeric IPv4 or IPv6 text
  int family = 4;  // 4 or 6
};

enum class AuthType { kPassword, kPrivateKey, kAgent, kKeyboardInteractive };

struct AuthSpec {
  AuthType type = AuthType::kPassword;
  Secret password;                // password auth
  Secret private_key;             // key text (PEM or OpenSSH), read by TypeScript
  std::string public_key;         // optional public key text ("ssh-ed25519 AAAA... comment")
  Secret passphrase;              // optional
  std::vector<Secret> responses;  // keyboard-interactive answers, in order across all prompts
  std::string agent_socket;       // agent auth: SSH_AUTH_SOCK as seen by the caller
};

enum class ProxyKind { kNone, kSocks4, kSocks5, kHttp };

struct ProxySpec {
  ProxyKind kind = ProxyKind::kNone;
  std::vector<Address> addresses;  // the proxy server, resolved
  uint16_t port = 0;
  std::string login;
  Secret password;
  bool has_login = false;
  bool has_password = false;
};

enum class HostKeyPolicy { kStrict, kAcceptNew, kOff };

// How the server's key is checked (all inputs read by TypeScript; the engine only compares).
struct HostKeyCheck {
  HostKeyPolicy policy = HostKeyPolicy::kAcceptNew;
  std::string known_hosts_text;    // contents of the known_hosts file ("" when absent)
  std::string known_hosts_path;    // for messages
  bool record_new = false;         // accept-new: return the line to append for a new host
  bool hash_new = false;           // that line names the host hashed (HashKnownHosts)
  std::string pinned_fingerprint;  // "SHA256:<base64>", or empty
};

struct ConnectRequest {
  std::string host;                // as the user wrote it (sent unresolved to proxies)
  std::vector<Address> addresses;  // direct connections: resolved addresses to try in order
  uint16_t port = codes::kPort;
  std::string username;
  AuthSpec auth;
  ProxySpec proxy;
  uint32_t connect_timeout_ms = codes::kConnectTimeoutMs;  // what is left of the bound at the start
  uint32_t connect_timeout_total_ms =
      codes::kConnectTimeoutMs;  // the bound as configured (messages)
  // When set: the end of the bound on uv_hrtime()'s clock, in ms. The engine's timer then also
  // counts the time between JavaScript's split of the bound and the engine's start (copying a
  // large known_hosts into the request, a busy engine thread).
  uint64_t connect_deadline_hr_ms = 0;
  HostKeyCheck host_key;
  // Client-side algorithm preferences (comma lists, libssh2 names); empty = OpenSSH's client
  // defaults (algorithms.h).
  std::string kex_algorithms;
  std::string ciphers;
  std::string macs;
  std::string host_key_algorithms;
  bool want_host_key_verdict = false;  // after the policy accepted: ask JavaScript too
  uint32_t keepalive_interval_ms = 0;  // 0 = off
  // Request id for connection-level notices (kNotice): the loss of the connection, debug lines.
  // 0 = none. Notices do not keep the process alive.
  uint64_t notice_request_id = 0;
  bool debug = false;  // send "debug" notices (stages, algorithms, auth methods, channels)

  // What is left of the connect bound at `now_ms` (uv_hrtime()'s clock, in ms): at least 1.
  uint64_t ConnectTimeoutLeftMs(uint64_t now_ms) const {
    if (connect_deadline_hr_ms == 0) return connect_timeout_ms;
    const uint64_t left_ms = connect_deadline_hr_ms > now_ms ? connect_deadline_hr_ms - now_ms : 1;
    return left_ms < connect_timeout_ms ? left_ms : connect_timeout_ms;
  }

  // After login the secrets are not needed: wiped then rather than when the connection closes.
  void WipeSecrets() {
    auth.password.Wipe();
    auth.private_key.Wipe();
    auth.passphrase.Wipe();
    for (Secret& answer : auth.responses) answer.Wipe();
    proxy.password.Wipe();
  }
};

struct ExecRequest {
  std::string command;
  std::vector<uint8_t> stdin_data;
  uint32_t timeout_ms = 0;                               // 0 = none
  std::vector<std::pair<std::string, std::string>> env;  // sent as "env" requests (RFC 4254 6.4)
  bool pty = false;
  std::string term = codes::kPtyTerm;
  uint32_t cols = codes::kPtyCols;
  uint32_t rows = codes::kPtyRows;
  uint64_t max_stdout = 0;  // bytes kept; 0 = no cap (the rest is drained and dropped)
  uint64_t max_stderr = 0;
  bool stream = false;  // deliver output as kExecData events, with flow control (Ack)
  // stdin arrives in pieces (Session::WriteStdin, then EndStdin) instead of stdin_data; each
  // piece taken by the channel is acknowledged with a kExecStdin event.
  bool stdin_stream = false;
};

// One SFTP operation on an open SFTP channel (SftpChannel), or its opening or closing.
enum class SftpOp {
  kOpen,
  kRealpath,
  kStat,
  kLstat,
  kReaddir,
  kMkdir,
  kRmdir,
  kUnlink,
  kRename,
  kReadFile,
  kWriteFile,
  kClose,
};

struct SftpRequest {
  uint64_t channel_id = 0;  // the request id that opened the SFTP channel (kOpen: unused)
  SftpOp op = SftpOp::kRealpath;
  std::string path;
  std::string target;         // kRename: the new name
  uint32_t mode = 0;          // kMkdir, kWriteFile: permission bits
  bool overwrite = false;     // kRename: replace an existing target (posix-rename@openssh.com)
  uint64_t max_bytes = 0;     // kReadFile: a larger file fails (0 = no bound)
  std::vector<uint8_t> data;  // kWriteFile: the file's new contents
};

// A file's attributes as the SFTP server reports them (fields it did not send are 0).
struct SftpAttrs {
  uint64_t size = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t mode = 0;  // type and permission bits (S_IFMT | 07777)
  uint32_t atime = 0;
  uint32_t mtime = 0;
};

struct SftpEntry {
  std::string name;
  SftpAttrs attrs;
};

// What failed, in the terms the TypeScript layer turns into SshError / OPI results.
struct Error {
  std::string code;              // stable code: CONNECT_FAILED, TIMEOUT, AUTH_FAILED, ...
  std::string level;             // connect, proxy, handshake, host-key, auth, channel, timeout
  std::string message;           // with OPI's prefix ("TCP error: ...", "Auth error: ...")
  int ssh_errno = 0;             // libssh2 error number where one exists
  int sftp_status = -1;          // SFTP_FAILED from the server: its status (LIBSSH2_FX_*)
  std::string sftp_status_name;  // and that status's name
};

enum class EventKind {
  kConnected,
  kHostKey,
  kExecFinished,
  kExecData,
  kExecStdin,
  kClosed,
  kNotice,
  kSftp,  // an SFTP channel opened or closed, or one of its operations ended
};

// One event for the JavaScript side. `final` events settle their request.
struct Event {
  uint64_t request_id = 0;
  EventKind kind = EventKind::kClosed;
  bool final = true;
  bool notice = false;  // kNotice: not an answer to a pending request (no effect on liveness)
  bool ok = true;
  Error error;
  std::map<std::string, std::string> info;  // host key, banner, negotiated algorithms
  ByteBuffer out;                           // exec: stdout bytes
  ByteBuffer err;                           // exec: stderr bytes
  bool out_truncated = false;
  bool err_truncated = false;
  int stream_index = 0;  // kExecData: 0 stdout, 1 stderr
  bool has_exit_status = false;
  int exit_status = 0;
  std::string exit_signal;
  bool cancelled = false;    // kExecFinished: ended at JavaScript's request (Stop)
  uint64_t stdin_taken = 0;  // kExecStdin: bytes of stdin the channel took (or dropped)
  // kSftp: what the operation answers (readFile's bytes are in `out`).
  bool has_attrs = false;
  SftpAttrs attrs;                 // stat, lstat
  std::vector<SftpEntry> entries;  // readdir
  std::string text;                // realpath

  // A final event that reports `error`.
  static Event Failed(uint64_t request_id, EventKind kind, Error error) {
    Event event;
    event.request_id = request_id;
    event.kind = kind;
    event.ok = false;
    event.error = std::move(error);
    return event;
  }
};

// Receives events on the engine thread; the binding forwards them to JavaScript.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void Deliver(Event event) = 0;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_MESSAGES_H_
