// What a command's stdin still has to send: either the whole input, given up front with the
// command (then the end at once), or pieces that JavaScript writes while the command runs, then
// the end it asks for. Counts the bytes the channel took, so that a streaming writer can be told
// (and so keep only a bounded amount in flight). Owned by one ExecChannel; engine thread only.
#ifndef NATIVE_SSH_CORE_STDIN_QUEUE_H_
#define NATIVE_SSH_CORE_STDIN_QUEUE_H_

#include <libssh2.h>
#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <vector>

namespace native_ssh::core {

class StdinQueue {
 public:
  // The whole input known up front (ended at once), or nothing yet when `streaming`.
  void Start(std::vector<uint8_t> whole, bool streaming);
  // A piece written by JavaScript. Ignored after End() or Drop().
  void Append(std::vector<uint8_t> bytes);
  // No more pieces: once the queued ones are written, EOF may go out.
  void End() { ended_ = true; }
  // The peer will take no more (it closed the channel): what is queued, and anything appended
  // later, counts as taken and is dropped.
  void Drop();

  // Writes what the channel's window allows. 0 or more: bytes written; below 0: a libssh2 error
  // other than EAGAIN.
  ssize_t WriteTo(LIBSSH2_CHANNEL* channel);

  // Every byte written (or dropped) and no more to come: EOF is due.
  bool finished() const { return ended_ && pieces_.empty(); }
  bool streaming() const { return streaming_; }
  // Bytes taken (written or dropped) since the last call.
  uint64_t TakeTakenCount();

 private:
  std::deque<std::vector<uint8_t>> pieces_;
  size_t offset_ = 0;  // into pieces_.front()
  bool ended_ = true;
  bool streaming_ = false;
  bool dropped_ = false;
  uint64_t taken_ = 0;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_STDIN_QUEUE_H_
