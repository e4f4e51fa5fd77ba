#include "core/util/wipe.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
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

void WipeAndRelease(void* data, size_t size) {
  if (data == nullptr || size == 0) return;
  static const uintptr_t kPage = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t start = reinterpret_cast<uintptr_t>(data);
  const uintptr_t end = start + size;
  const uintptr_t first = (start + kPage - 1) & ~(kPage - 1);  // first whole page
  const uintptr_t last = end & ~(kPage - 1);                   // end of the last whole page
  if (last <= first || madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED) != 0) {
    WipeBytes(data, size);
    return;
  }
  WipeBytes(data, first - start);
  WipeBytes(reinterpret_cast<void*>(last), end - last);
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
