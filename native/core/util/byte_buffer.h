// A growable run of bytes on malloc/realloc, for command output. std::vector copies everything
// into new storage at each doubling, so 256 MiB of output touched about twice its size in fresh
// pages (measured: ~180,000 page faults, two thirds of the engine's CPU time in the kernel).
// realloc lets glibc grow large blocks with mremap: nothing is copied and only the new pages are
// touched. Release() hands the block to the binding, which gives it to JavaScript as an external
// Buffer and frees it with std::free.
//
// Not thread-safe: filled on the engine thread (ExecChannel), then moved, inside an Event, to the
// JavaScript thread that releases it.
#ifndef NATIVE_SSH_CORE_UTIL_BYTE_BUFFER_H_
#define NATIVE_SSH_CORE_UTIL_BYTE_BUFFER_H_

#include <cstddef>

namespace native_ssh::core {

class ByteBuffer {
 public:
  ByteBuffer() = default;
  ~ByteBuffer();
  ByteBuffer(ByteBuffer&& other) noexcept;
  ByteBuffer& operator=(ByteBuffer&& other) noexcept;
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;

  // Appends `length` bytes; false (and nothing appended) when memory runs out.
  [[nodiscard]] bool Append(const char* bytes, size_t length);
  [[nodiscard]] bool Assign(const char* bytes, size_t length);
  // Frees the bytes.
  void Clear();

  const char* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Gives up the block (nullptr when empty): the caller frees it with std::free.
  char* Release();

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_UTIL_BYTE_BUFFER_H_
