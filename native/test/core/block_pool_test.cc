// Unit tests of BlockPool: libssh2's per-session memory with spare packet-sized blocks.
#include "core/util/block_pool.h"
#include "core/util/wipe.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "test_main.h"

using native_ssh::core::BlockPool;
using native_ssh::core::WipeAndRelease;

TEST(SmallAndLargeBlocksAreUsableAndFreed) {
  BlockPool pool;
  for (size_t size : {size_t{1}, size_t{100}, BlockPool::kPooledMin - 1, BlockPool::kPooledSize + 1,
                      size_t{1} << 20}) {
    auto* block = static_cast<unsigned char*>(pool.Alloc(size));
    ASSERT_TRUE(block != nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(block) % 16, uintptr_t{0});
    std::memset(block, 0xab, size);
    pool.Free(block);
  }
  EXPECT_EQ(pool.spares(), size_t{0});  // none of those sizes is kept
  pool.Free(nullptr);
}

TEST(PacketSizedBlocksAreKeptAndReused) {
  BlockPool pool;
  pool.SetIdle(false);  // commands run
  void* first = pool.Alloc(35000);
  ASSERT_TRUE(first != nullptr);
  std::memset(first, 1, 35000);
  pool.Free(first);
  EXPECT_EQ(pool.spares(), size_t{1});
  void* again = pool.Alloc(BlockPool::kPooledMin);  // any size of the class takes the spare
  EXPECT_TRUE(again == first);
  EXPECT_EQ(pool.spares(), size_t{0});
  std::memset(again, 2, BlockPool::kPooledSize);  // the whole class size is there
  pool.Free(again);
  pool.Trim();
  EXPECT_EQ(pool.spares(), size_t{0});
}

TEST(AnIdlePoolKeepsNoSpares) {
  BlockPool pool;  // a new pool is idle (a session before its first command)
  void* block = pool.Alloc(35000);
  ASSERT_TRUE(block != nullptr);
  std::memset(block, 1, 35000);
  pool.Free(block);
  EXPECT_EQ(pool.spares(), size_t{0});
  pool.SetIdle(false);
  pool.Free(pool.Alloc(35000));
  EXPECT_EQ(pool.spares(), size_t{1});
  pool.SetIdle(true);  // going idle frees the spares
  EXPECT_EQ(pool.spares(), size_t{0});
}

TEST(KeepsNoMoreThanMaxSpares) {
  BlockPool pool;
  pool.SetIdle(false);
  std::vector<void*> blocks;
  for (size_t i = 0; i < BlockPool::kMaxSpares + 10; ++i) blocks.push_back(pool.Alloc(20000));
  for (void* block : blocks) pool.Free(block);
  EXPECT_EQ(pool.spares(), BlockPool::kMaxSpares);
}

TEST(ReallocKeepsTheBytesAcrossClasses) {
  BlockPool pool;
  std::string expected(100, 'x');
  auto* block = static_cast<char*>(pool.Realloc(nullptr, 100));
  ASSERT_TRUE(block != nullptr);
  std::memcpy(block, expected.data(), expected.size());
  // small -> pooled -> pooled (same block) -> large -> small
  block = static_cast<char*>(pool.Realloc(block, 5000));
  ASSERT_TRUE(block != nullptr);
  EXPECT_EQ(std::string(block, 100), expected);
  std::memset(block + 100, 'y', 4900);
  expected += std::string(4900, 'y');
  char* same = static_cast<char*>(pool.Realloc(block, 30000));
  EXPECT_TRUE(same == block);
  block = static_cast<char*>(pool.Realloc(block, 100000));
  ASSERT_TRUE(block != nullptr);
  EXPECT_EQ(std::string(block, 5000), expected);
  block = static_cast<char*>(pool.Realloc(block, 50));
  ASSERT_TRUE(block != nullptr);
  EXPECT_EQ(std::string(block, 50), expected.substr(0, 50));
  pool.Free(block);
}

TEST(FreedBlocksAreZeroedUpToTheMostTheyHeld) {
  // libssh2 frees passwords, keyboard answers and plaintext packets without clearing them.
  BlockPool pool;
  pool.SetIdle(false);  // so that the freed block is kept and can be looked at
  auto* block = static_cast<unsigned char*>(pool.Alloc(30000));
  ASSERT_TRUE(block != nullptr);
  std::memset(block, 0x5a, 30000);
  // Shrunk in place (same class): bytes 5000..29999 are still the old contents.
  ASSERT_TRUE(pool.Realloc(block, 5000) == block);
  pool.Free(block);
  auto* again = static_cast<unsigned char*>(pool.Alloc(30000));
  ASSERT_TRUE(again == block);  // the spare: what Free() left in it is visible
  size_t nonzero = 0;
  for (size_t i = 0; i < 30000; ++i) nonzero += again[i] != 0;
  EXPECT_EQ(nonzero, size_t{0});
  pool.Free(again);
}

TEST(WipeAndReleaseZeroesEveryByte) {
  // The whole pages go back to the kernel (read as zeros), the partial ones are zeroed.
  std::vector<unsigned char> memory(5 * 4096 + 123, 0x5a);
  WipeAndRelease(memory.data() + 7, memory.size() - 10);
  size_t nonzero = 0;
  for (size_t i = 7; i < memory.size() - 3; ++i) nonzero += memory[i] != 0;
  EXPECT_EQ(nonzero, size_t{0});
  EXPECT_EQ(memory[6], 0x5a);  // outside the range: untouched
  EXPECT_EQ(memory[memory.size() - 3], 0x5a);
}

TEST(RefusesImpossibleSizes) {
  BlockPool pool;
  EXPECT_TRUE(pool.Alloc(static_cast<size_t>(-1) - 8) == nullptr);
  void* block = pool.Alloc(10);
  ASSERT_TRUE(block != nullptr);
  EXPECT_TRUE(pool.Realloc(block, static_cast<size_t>(-1) - 8) == nullptr);
  pool.Free(block);  // still ours after a refused realloc
}
