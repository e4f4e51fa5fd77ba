// Overwriting memory that held a secret before it is released or reused: WipeBytes() (a memset
// the compiler may not drop), WipeString() (a std::string's whole buffer, not only its current
// size: bytes left behind by erase(), clear(), a move out of the inline buffer of a short string,
// or a shorter value), and WipedString, the byte string the engine sends a proxy handshake from.
//
// Pure functions and a value type: any thread may use them, one thread per object. No OpenSSL
// here: the proxy library (cmake/core-tests.cmake) is built and fuzzed without it.
#ifndef NATIVE_SSH_CORE_UTIL_WIPE_H_
#define NATIVE_SSH_CORE_UTIL_WIPE_H_

#include <cstddef>
#include <string>

namespace native_ssh::core {

// Sets `size` bytes at `data` to zero; the stores are kept even when the memory is freed next.
void WipeBytes(void* data, size_t size);

// For memory about to be freed: zeroes `size` bytes at `data` without making resident what was
// never touched. The whole pages inside the range are handed back to the kernel
// (madvise(MADV_DONTNEED): the process then reads them as zeros and they no longer count in its
// RSS); the partial pages at either end are zeroed with WipeBytes(). A memset over a buffer
// libssh2 sized for a whole packet but filled with a few bytes would fault in every page of it,
// and freed heap memory stays resident: ~25 KiB per idle connection measured (bench memory).
void WipeAndRelease(void* data, size_t size);

// Zeroes every byte of the string's buffer (its capacity, not only its size) and releases it;
// the string is then empty.
void WipeString(std::string* text);

// Bytes waiting to be written that may contain a secret (a proxy's credentials): every byte it
// held is zeroed when it is consumed (erase), when the buffer grows (the old buffer), when a
// string is moved or appended into it (the source), and when it is destroyed. Offers the few
// std::string operations the engine's send loop uses.
class WipedString {
 public:
  WipedString() = default;
  WipedString(const WipedString&) = delete;
  WipedString& operator=(const WipedString&) = delete;
  ~WipedString() { WipeString(&bytes_); }

  // Takes the bytes of `more` (zeroing whatever this held and what `more` leaves behind).
  WipedString& operator=(std::string&& more);
  // Appends the bytes of `more`, then zeroes `more`.
  WipedString& operator+=(std::string&& more);
  // Removes `count` bytes at `position` (0 in the send loop); the bytes freed at the end are
  // zeroed.
  void erase(size_t position, size_t count);

  bool empty() const { return bytes_.empty(); }
  size_t size() const { return bytes_.size(); }
  const char* data() const { return bytes_.data(); }

 private:
  std::string bytes_;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_UTIL_WIPE_H_
