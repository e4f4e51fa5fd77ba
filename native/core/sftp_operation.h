// One SFTP operation (realpath, stat, lstat, readdir, mkdir, rmdir, unlink, rename, readFile,
// writeFile) as a small state machine over libssh2's non-blocking SFTP calls: each call that
// answers EAGAIN is repeated with the same arguments at the next Step (libssh2 keeps the call's
// state in the LIBSSH2_SFTP, so SftpChannel runs one operation at a time). Owns the request, the
// remote file or directory handle while it is open (closed by the machine itself, also after an
// error), the read buffer and the result (one kSftp event).
//
// Engine thread only; stepped by SftpChannel.
#ifndef NATIVE_SSH_CORE_SFTP_OPERATION_H_
#define NATIVE_SSH_CORE_SFTP_OPERATION_H_

#include <libssh2.h>
#include <libssh2_sftp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/messages.h"

namespace native_ssh::core {

class SftpOperation {
 public:
  enum class Status {
    kWaiting,         // a libssh2 call answered EAGAIN: Step again when the socket is ready
    kProgress,        // something happened (or the turn's budget is spent): Step again
    kFinished,        // TakeResult() holds the event
    kTransportError,  // the connection failed: transport_error() says how
  };

  SftpOperation(uint64_t request_id, SftpRequest request);
  SftpOperation(const SftpOperation&) = delete;
  SftpOperation& operator=(const SftpOperation&) = delete;

  Status Step(LIBSSH2_SESSION* session, LIBSSH2_SFTP* sftp);
  uint64_t request_id() const { return request_id_; }
  Event TakeResult() { return std::move(result_); }
  const Error& transport_error() const { return transport_error_; }
  // The event that settles this operation with `error` (it never ran, or the channel is gone).
  Event Failed(Error error) const;

 private:
  enum class Phase { kStart, kTransfer, kCloseHandle, kFinished };

  Status StepSimple(LIBSSH2_SFTP* sftp);
  Status StepOpen(LIBSSH2_SFTP* sftp);
  Status StepReaddir(LIBSSH2_SFTP* sftp);
  Status StepRead(LIBSSH2_SFTP* sftp);
  Status StepWrite(LIBSSH2_SFTP* sftp);
  Status StepCloseHandle(LIBSSH2_SFTP* sftp);
  // A libssh2 error `rc`: the transport's (kTransportError), or the operation's (its handle, if
  // open, is closed first, then it finishes with the error).
  Status Fail(LIBSSH2_SFTP* sftp, int rc);
  Status FailWith(Error error);
  Status Finish();

  uint64_t request_id_;
  SftpRequest request_;
  LIBSSH2_SESSION* session_ = nullptr;  // as of the last Step
  Phase phase_ = Phase::kStart;
  LIBSSH2_SFTP_HANDLE* handle_ = nullptr;
  LIBSSH2_SFTP_ATTRIBUTES attrs_{};
  std::vector<char> buffer_;  // realpath's answer, readdir's names, readFile's 1 MiB reads
  size_t written_ = 0;        // writeFile: bytes the server acknowledged
  bool failed_ = false;       // result_ holds an error; the handle is being closed
  Event result_;
  Error transport_error_;
};

// The SFTP_FAILED error for a server status (LIBSSH2_FX_*): "SFTP error: no such file: /x
// (LIBSSH2_FX_NO_SUCH_FILE, 2)".
Error SftpStatusError(unsigned long status, const std::string& path);

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_SFTP_OPERATION_H_
