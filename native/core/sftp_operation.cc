#include "core/sftp_operation.h"

#include <algorithm>
#include <cstring>

#include "core/codes.h"
#include "core/ssh_error.h"

namespace native_ssh::core {

namespace {

// One libssh2_sftp_read / libssh2_sftp_write call's buffer: libssh2 keeps that much in flight in
// ~30 KB requests (docs/sftp-design.md: the size measured fastest).
constexpr size_t kTransferChunk = 1024 * 1024;
// Bytes moved per Step before yielding, so one transfer cannot starve the other channels.
constexpr size_t kStepBudget = 4 * 1024 * 1024;
// Directory entries decoded per Step before yielding.
constexpr size_t kEntriesPerStep = 4096;
constexpr size_t kNameBuffer = 4096;

struct StatusName {
  const char* name;
  const char* text;
};

// The SFTP status codes (draft-ietf-secsh-filexfer-13 §9.1; libssh2_sftp.h's LIBSSH2_FX_*).
constexpr StatusName kStatusNames[] = {
    {"LIBSSH2_FX_OK", "ok"},
    {"LIBSSH2_FX_EOF", "end of file"},
    {"LIBSSH2_FX_NO_SUCH_FILE", "no such file"},
    {"LIBSSH2_FX_PERMISSION_DENIED", "permission denied"},
    {"LIBSSH2_FX_FAILURE", "failure"},
    {"LIBSSH2_FX_BAD_MESSAGE", "bad message"},
    {"LIBSSH2_FX_NO_CONNECTION", "no connection"},
    {"LIBSSH2_FX_CONNECTION_LOST", "connection lost"},
    {"LIBSSH2_FX_OP_UNSUPPORTED", "operation not supported"},
    {"LIBSSH2_FX_INVALID_HANDLE", "invalid handle"},
    {"LIBSSH2_FX_NO_SUCH_PATH", "no such path"},
    {"LIBSSH2_FX_FILE_ALREADY_EXISTS", "file already exists"},
    {"LIBSSH2_FX_WRITE_PROTECT", "write protected"},
    {"LIBSSH2_FX_NO_MEDIA", "no media"},
    {"LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM", "no space on the file system"},
    {"LIBSSH2_FX_QUOTA_EXCEEDED", "quota exceeded"},
    {"LIBSSH2_FX_UNKNOWN_PRINCIPAL", "unknown principal"},
    {"LIBSSH2_FX_LOCK_CONFLICT", "lock conflict"},
    {"LIBSSH2_FX_DIR_NOT_EMPTY", "directory not empty"},
    {"LIBSSH2_FX_NOT_A_DIRECTORY", "not a directory"},
    {"LIBSSH2_FX_INVALID_FILENAME", "invalid file name"},
    {"LIBSSH2_FX_LINK_LOOP", "link loop"},
};

SftpAttrs AttrsOf(const LIBSSH2_SFTP_ATTRIBUTES& raw) {
  SftpAttrs attrs;
  if ((raw.flags & LIBSSH2_SFTP_ATTR_SIZE) != 0) attrs.size = raw.filesize;
  if ((raw.flags & LIBSSH2_SFTP_ATTR_UIDGID) != 0) {
    attrs.uid = static_cast<uint32_t>(raw.uid);
    attrs.gid = static_cast<uint32_t>(raw.gid);
  }
  if ((raw.flags & LIBSSH2_SFTP_ATTR_PERMISSIONS) != 0) {
    attrs.mode = static_cast<uint32_t>(raw.permissions);
  }
  if ((raw.flags & LIBSSH2_SFTP_ATTR_ACMODTIME) != 0) {
    attrs.atime = static_cast<uint32_t>(raw.atime);
    attrs.mtime = static_cast<uint32_t>(raw.mtime);
  }
  return attrs;
}

unsigned int Length(const std::string& text) { return static_cast<unsigned int>(text.size()); }

}  // namespace

Error SftpStatusError(unsigned long status, const std::string& path) {
  const size_t count = sizeof(kStatusNames) / sizeof(kStatusNames[0]);
  const std::string name =
      status < count ? kStatusNames[status].name : "status " + std::to_string(status);
  const std::string text = status < count ? kStatusNames[status].text : "unknown status";
  Error error = MakeError(
      codes::kSftpFailed, codes::kLevelSftp,
      "SFTP error: " + text + ": " + path + " (" + name + ", " + std::to_string(status) + ")",
      LIBSSH2_ERROR_SFTP_PROTOCOL);
  error.sftp_status = static_cast<int>(status);
  error.sftp_status_name = name;
  return error;
}

SftpOperation::SftpOperation(uint64_t request_id, SftpRequest request)
    : request_id_(request_id), request_(std::move(request)) {
  result_.request_id = request_id_;
  result_.kind = EventKind::kSftp;
}

Event SftpOperation::Failed(Error error) const {
  return Event::Failed(request_id_, EventKind::kSftp, std::move(error));
}

SftpOperation::Status SftpOperation::Step(LIBSSH2_SESSION* session, LIBSSH2_SFTP* sftp) {
  session_ = session;
  if (phase_ == Phase::kFinished) return Status::kFinished;
  if (phase_ == Phase::kCloseHandle) return StepCloseHandle(sftp);
  switch (request_.op) {
    case SftpOp::kReaddir:
    case SftpOp::kReadFile:
    case SftpOp::kWriteFile:
      if (phase_ == Phase::kStart) return StepOpen(sftp);
      if (request_.op == SftpOp::kReaddir) return StepReaddir(sftp);
      return request_.op == SftpOp::kReadFile ? StepRead(sftp) : StepWrite(sftp);
    default: return StepSimple(sftp);
  }
}

SftpOperation::Status SftpOperation::StepSimple(LIBSSH2_SFTP* sftp) {
  const std::string& path = request_.path;
  int rc = 0;
  switch (request_.op) {
    case SftpOp::kRealpath:
      if (buffer_.empty()) buffer_.resize(kNameBuffer);
      rc =
          libssh2_sftp_symlink_ex(sftp, path.data(), Length(path), buffer_.data(),
                                  static_cast<unsigned int>(buffer_.size()), LIBSSH2_SFTP_REALPATH);
      if (rc >= 0) result_.text.assign(buffer_.data(), static_cast<size_t>(rc));
      break;
    case SftpOp::kStat:
    case SftpOp::kLstat:
      rc = libssh2_sftp_stat_ex(
          sftp, path.data(), Length(path),
          request_.op == SftpOp::kStat ? LIBSSH2_SFTP_STAT : LIBSSH2_SFTP_LSTAT, &attrs_);
      if (rc == 0) {
        result_.has_attrs = true;
        result_.attrs = AttrsOf(attrs_);
      }
      break;
    case SftpOp::kMkdir:
      rc = libssh2_sftp_mkdir_ex(sftp, path.data(), Length(path), static_cast<long>(request_.mode));
      break;
    case SftpOp::kRmdir: rc = libssh2_sftp_rmdir_ex(sftp, path.data(), Length(path)); break;
    case SftpOp::kUnlink: rc = libssh2_sftp_unlink_ex(sftp, path.data(), Length(path)); break;
    case SftpOp::kRename:
      // posix-rename@openssh.com replaces an existing target atomically; SFTP v3's rename refuses
      // one (the flags only mean something from version 5 on).
      rc = request_.overwrite
               ? libssh2_sftp_posix_rename_ex(sftp, path.data(), Length(path),
                                              request_.target.data(), Length(request_.target))
               : libssh2_sftp_rename_ex(sftp, path.data(), Length(path), request_.target.data(),
                                        Length(request_.target), LIBSSH2_SFTP_RENAME_NATIVE);
      break;
    default: rc = LIBSSH2_ERROR_INVAL; break;
  }
  if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
  if (rc < 0) return Fail(sftp, rc);
  return Finish();
}

SftpOperation::Status SftpOperation::StepOpen(LIBSSH2_SFTP* sftp) {
  const std::string& path = request_.path;
  if (request_.op == SftpOp::kReaddir) {
    handle_ = libssh2_sftp_open_ex(sftp, path.data(), Length(path), 0, 0, LIBSSH2_SFTP_OPENDIR);
  } else if (request_.op == SftpOp::kReadFile) {
    handle_ = libssh2_sftp_open_ex(sftp, path.data(), Length(path), LIBSSH2_FXF_READ, 0,
                                   LIBSSH2_SFTP_OPENFILE);
  } else {
    handle_ = libssh2_sftp_open_ex(sftp, path.data(), Length(path),
                                   LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC,
                                   static_cast<long>(request_.mode), LIBSSH2_SFTP_OPENFILE);
  }
  if (handle_ == nullptr) {
    const int rc = libssh2_session_last_errno(session_);
    if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
    return Fail(sftp, rc);
  }
  phase_ = Phase::kTransfer;
  if (request_.op == SftpOp::kReadFile) buffer_.resize(kTransferChunk);
  if (request_.op == SftpOp::kReaddir) buffer_.resize(kNameBuffer);
  return Status::kProgress;
}

SftpOperation::Status SftpOperation::StepReaddir(LIBSSH2_SFTP* sftp) {
  for (size_t count = 0; count < kEntriesPerStep; ++count) {
    LIBSSH2_SFTP_ATTRIBUTES attrs{};
    const int rc =
        libssh2_sftp_readdir_ex(handle_, buffer_.data(), buffer_.size(), nullptr, 0, &attrs);
    if (rc == LIBSSH2_ERROR_EAGAIN) return count > 0 ? Status::kProgress : Status::kWaiting;
    if (rc < 0) return Fail(sftp, rc);
    if (rc == 0) {
      phase_ = Phase::kCloseHandle;
      return Status::kProgress;
    }
    std::string name(buffer_.data(), static_cast<size_t>(rc));
    if (name == "." || name == "..") continue;
    result_.entries.push_back({std::move(name), AttrsOf(attrs)});
  }
  return Status::kProgress;
}

SftpOperation::Status SftpOperation::StepRead(LIBSSH2_SFTP* sftp) {
  size_t budget = kStepBudget;
  while (budget > 0) {
    const ssize_t n = libssh2_sftp_read(handle_, buffer_.data(), buffer_.size());
    if (n == LIBSSH2_ERROR_EAGAIN)
      return budget < kStepBudget ? Status::kProgress : Status::kWaiting;
    if (n < 0) return Fail(sftp, static_cast<int>(n));
    if (n == 0) {
      phase_ = Phase::kCloseHandle;
      return Status::kProgress;
    }
    const auto got = static_cast<size_t>(n);
    if (request_.max_bytes != 0 && result_.out.size() + got > request_.max_bytes) {
      return FailWith(MakeError(codes::kInvalidSettings, codes::kLevelSettings,
                                "Settings error: maxBytes is " +
                                    std::to_string(request_.max_bytes) + " bytes, and " +
                                    request_.path + " is larger"));
    }
    if (!result_.out.Append(buffer_.data(), got)) {
      return FailWith(MakeError(codes::kSftpFailed, codes::kLevelSftp,
                                "SFTP error: out of memory reading " + request_.path + " (" +
                                    std::to_string(result_.out.size()) + " bytes so far)"));
    }
    budget = budget > got ? budget - got : 0;
  }
  return Status::kProgress;
}

SftpOperation::Status SftpOperation::StepWrite(LIBSSH2_SFTP* sftp) {
  const std::vector<uint8_t>& data = request_.data;
  size_t budget = kStepBudget;
  while (written_ < data.size() && budget > 0) {
    const size_t chunk = std::min(kTransferChunk, data.size() - written_);
    const ssize_t n =
        libssh2_sftp_write(handle_, reinterpret_cast<const char*>(data.data()) + written_, chunk);
    if (n == LIBSSH2_ERROR_EAGAIN)
      return budget < kStepBudget ? Status::kProgress : Status::kWaiting;
    if (n < 0) return Fail(sftp, static_cast<int>(n));
    written_ += static_cast<size_t>(n);
    budget = budget > static_cast<size_t>(n) ? budget - static_cast<size_t>(n) : 0;
  }
  if (written_ < data.size()) return Status::kProgress;
  phase_ = Phase::kCloseHandle;
  return Status::kProgress;
}

SftpOperation::Status SftpOperation::StepCloseHandle(LIBSSH2_SFTP* sftp) {
  const int rc = libssh2_sftp_close_handle(handle_);
  if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
  handle_ = nullptr;  // freed by libssh2, answered or not
  if (rc < 0 && (IsTransportError(rc) || !failed_)) {
    // A refused close of a written file means the data may not be there: an error too.
    return Fail(sftp, rc);
  }
  return failed_ ? Status::kFinished : Finish();
}

SftpOperation::Status SftpOperation::Fail(LIBSSH2_SFTP* sftp, int rc) {
  LIBSSH2_SESSION* ssh = session_;
  if (IsTransportError(rc)) {
    transport_error_ =
        LastSshError(ssh, rc, "Connection error: ", codes::kConnectionLost, codes::kLevelConnect);
    return Status::kTransportError;
  }
  const std::string& path = request_.path;
  if (rc == LIBSSH2_ERROR_SFTP_PROTOCOL) {
    return FailWith(SftpStatusError(libssh2_sftp_last_error(sftp), path));
  }
  return FailWith(
      LastSshError(ssh, rc, "SFTP error: " + path + ": ", codes::kSftpFailed, codes::kLevelSftp));
}

SftpOperation::Status SftpOperation::FailWith(Error error) {
  if (!failed_) {
    failed_ = true;
    result_ = Failed(std::move(error));
  }
  if (handle_ != nullptr) {
    phase_ = Phase::kCloseHandle;
    return Status::kProgress;
  }
  phase_ = Phase::kFinished;
  return Status::kFinished;
}

SftpOperation::Status SftpOperation::Finish() {
  phase_ = Phase::kFinished;
  return Status::kFinished;
}

}  // namespace native_ssh::core
