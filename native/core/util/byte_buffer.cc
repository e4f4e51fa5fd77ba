#include "core/util/byte_buffer.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace native_ssh::core {

namespace {
constexpr size_t kFirstCapacity = 4096;
}  // namespace

ByteBuffer::~ByteBuffer() { std::free(data_); }

ByteBuffer::ByteBuffer(ByteBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

ByteBuffer& ByteBuffer::operator=(ByteBuffer&& other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

bool ByteBuffer::Append(const char* bytes, size_t length) {
  if (length == 0) return true;
  if (length > capacity_ - size_) {
    size_t capacity = capacity_ == 0 ? kFirstCapacity : capacity_;
    while (capacity - size_ < length) {
      if (capacity > SIZE_MAX / 2) return false;
      capacity *= 2;
    }
    void* grown = std::realloc(data_, capacity);
    if (grown == nullptr) return false;
    data_ = static_cast<char*>(grown);
    capacity_ = capacity;
  }
  std::memcpy(data_ + size_, bytes, length);
  size_ += length;
  return true;
}

bool ByteBuffer::Assign(const char* bytes, size_t length) {
  size_ = 0;
  return Append(bytes, length);
}

void ByteBuffer::Clear() {
  std::free(std::exchange(data_, nullptr));
  size_ = 0;
  capacity_ = 0;
}

char* ByteBuffer::Release() {
  size_ = 0;
  capacity_ = 0;
  return std::exchange(data_, nullptr);
}

}  // namespace native_ssh::core
