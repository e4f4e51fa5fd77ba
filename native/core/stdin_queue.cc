#include "core/stdin_queue.h"

#include <utility>

namespace native_ssh::core {

void StdinQueue::Start(std::vector<uint8_t> whole, bool streaming) {
  streaming_ = streaming;
  ended_ = !streaming;
  if (!whole.empty()) pieces_.push_back(std::move(whole));
}

void StdinQueue::Append(std::vector<uint8_t> bytes) {
  if (dropped_) {
    taken_ += bytes.size();
    return;
  }
  if (ended_ || bytes.empty()) return;
  pieces_.push_back(std::move(bytes));
}

void StdinQueue::Drop() {
  for (const auto& piece : pieces_) taken_ += piece.size();
  taken_ -= offset_;
  pieces_.clear();
  offset_ = 0;
  dropped_ = true;
  ended_ = true;
}

ssize_t StdinQueue::WriteTo(LIBSSH2_CHANNEL* channel) {
  ssize_t written = 0;
  while (!pieces_.empty()) {
    const std::vector<uint8_t>& front = pieces_.front();
    if (offset_ >= front.size()) {
      pieces_.pop_front();  // frees the piece as soon as it is sent
      offset_ = 0;
      continue;
    }
    ssize_t n = libssh2_channel_write(
        channel, reinterpret_cast<const char*>(front.data()) + offset_, front.size() - offset_);
    // 0: nothing could go (a server that granted a zero packet size): wait, do not spin.
    if (n == LIBSSH2_ERROR_EAGAIN || n == 0) break;
    if (n < 0) return n;
    offset_ += static_cast<size_t>(n);
    taken_ += static_cast<uint64_t>(n);
    written += n;
  }
  return written;
}

uint64_t StdinQueue::TakeTakenCount() {
  const uint64_t taken = taken_;
  taken_ = 0;
  return taken;
}

}  // namespace native_ssh::core
