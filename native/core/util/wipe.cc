#include "core/util/wipe.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace native_ssh::core {

namespace {
// Called through a volatile pointer: the compiler cannot prove it is memset, so it cannot drop
// the call as a dead store before a free().
void* (*const volatile kMemset)(void*, int, size_t) = std::memset;
}  // namespace

void WipeBytes(void* data, size_t size) {
  if (data != nullptr && size != 0) kMemset(data, 0, size);
}

void WipeString(std::string* text) {
  // resize() up to the capacity never reallocates; it makes the whole buffer addressable.
  text->resize(text->capacity());
  WipeBytes(text->data(), text->size());
  std::string().swap(*text);
  // The swap leaves the empty inline buffer in *text; the old one was zeroed above.
}

WipedString& WipedString::operator=(std::string&& more) {
  WipeString(&bytes_);
  bytes_ = std::move(more);
  WipeString(&more);  // a short string's bytes stay in its inline buffer after the move
  return *this;
}

WipedString& WipedString::operator+=(std::string&& more) {
  if (bytes_.empty()) return *this = std::move(more);
  if (bytes_.capacity() - bytes_.size() < more.size()) {
    // Grow by hand: std::string would free the old buffer without zeroing it.
    std::string grown;
    grown.reserve(bytes_.size() + more.size());
    grown.append(bytes_);
    WipeString(&bytes_);
    bytes_ = std::move(grown);
  }
  bytes_.append(more);
  WipeString(&more);
  return *this;
}

void WipedString::erase(size_t position, size_t count) {
  if (position >= bytes_.size()) return;
  count = std::min(count, bytes_.size() - position);
  const size_t old_size = bytes_.size();
  bytes_.erase(position, count);
  // erase() moved the tail down; the last `count` bytes of the old contents are still there.
  // Growing back to the old size (within the capacity: no reallocation) zero-fills them.
  const size_t new_size = bytes_.size();
  bytes_.resize(old_size);
  WipeBytes(bytes_.data() + new_size, old_size - new_size);
  bytes_.resize(new_size);
}

}  // namespace native_ssh::core
