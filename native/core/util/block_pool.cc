#include "core/util/block_pool.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "core/util/wipe.h"

namespace native_ssh::core {

namespace {

// The header: the size asked for, then the most bytes the block has held since it was handed out
// (a pooled block shrunk by Realloc() still has its old bytes past the new size).
constexpr size_t kHeader = 16;  // keeps the block 16-byte aligned, as malloc's are

bool Pooled(size_t size) { return size >= BlockPool::kPooledMin && size <= BlockPool::kPooledSize; }

char* Raw(void* block) { return static_cast<char*>(block) - kHeader; }

size_t& SizeOf(void* block) { return *reinterpret_cast<size_t*>(Raw(block)); }

size_t& UsedOf(void* block) { return *reinterpret_cast<size_t*>(Raw(block) + sizeof(size_t)); }

void* NewBlock(size_t capacity, size_t size) {
  if (capacity > static_cast<size_t>(-1) - kHeader) return nullptr;
  char* raw = static_cast<char*>(std::malloc(kHeader + capacity));
  if (raw == nullptr) return nullptr;
  void* block = raw + kHeader;
  SizeOf(block) = size;
  UsedOf(block) = size;
  return block;
}

// Zeroes what the block held: libssh2 frees passwords, keyboard answers, decoded keys and
// plaintext packets through here without clearing them.
void Wipe(void* block) { WipeBytes(block, UsedOf(block)); }

}  // namespace

BlockPool::~BlockPool() { Trim(); }

void* BlockPool::Alloc(size_t size) {
  if (!Pooled(size)) return NewBlock(size, size);
  if (spares_.empty()) return NewBlock(kPooledSize, size);
  void* block = spares_.back();
  spares_.pop_back();
  SizeOf(block) = size;
  UsedOf(block) = size;
  return block;
}

void BlockPool::Free(void* block) {
  if (block == nullptr) return;
  if (!idle_ && Pooled(SizeOf(block)) && spares_.size() < kMaxSpares) {
    Wipe(block);  // kept for the next packet: its pages stay resident
    spares_.push_back(block);
    return;
  }
  WipeAndRelease(block, UsedOf(block));
  std::free(Raw(block));
}

void* BlockPool::Realloc(void* block, size_t size) {
  if (block == nullptr) return Alloc(size);
  const size_t old_size = SizeOf(block);
  if (Pooled(old_size) && Pooled(size)) {
    SizeOf(block) = size;
    UsedOf(block) = std::max(UsedOf(block), size);
    return block;
  }
  // Otherwise a new block, the bytes copied, the old block zeroed and freed (std::realloc would
  // free the old one without zeroing it).
  void* moved = Alloc(size);
  if (moved == nullptr) return nullptr;
  std::memcpy(moved, block, std::min(old_size, size));
  Free(block);
  return moved;
}

void BlockPool::SetIdle(bool idle) {
  idle_ = idle;
  if (idle) Trim();
}

void BlockPool::Trim() {
  // Already zeroed (Free); the pages a spare never used go back to the kernel, not to the heap.
  for (void* block : spares_) {
    WipeAndRelease(block, kPooledSize);
    std::free(Raw(block));
  }
  spares_.clear();
}

}  // namespace native_ssh::core
