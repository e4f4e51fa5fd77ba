// Unit tests of ByteBuffer: the growable output buffer handed to JavaScript without a copy.
#include "core/util/byte_buffer.h"

#include <cstdlib>
#include <string>
#include <utility>

#include "test_main.h"

using native_ssh::core::ByteBuffer;

namespace {

std::string Text(const ByteBuffer& buffer) { return std::string(buffer.data(), buffer.size()); }

}  // namespace

TEST(StartsEmptyAndAppendsAcrossManyGrowths) {
  ByteBuffer buffer;
  EXPECT_TRUE(buffer.empty());
  EXPECT_TRUE(buffer.data() == nullptr);
  std::string expected;
  // 3 MiB in uneven pieces: many doublings, past glibc's mmap threshold.
  for (size_t i = 0; expected.size() < 3 * 1024 * 1024; ++i) {
    const std::string piece(1 + (i * 7919) % 40000, static_cast<char>('a' + i % 26));
    ASSERT_TRUE(buffer.Append(piece.data(), piece.size()));
    expected += piece;
  }
  EXPECT_EQ(buffer.size(), expected.size());
  EXPECT_TRUE(Text(buffer) == expected);
  EXPECT_TRUE(buffer.Append("x", 0));
  EXPECT_EQ(buffer.size(), expected.size());
}

TEST(AssignReplacesAndClearFrees) {
  ByteBuffer buffer;
  ASSERT_TRUE(buffer.Append("old contents", 12));
  ASSERT_TRUE(buffer.Assign("new", 3));
  EXPECT_EQ(Text(buffer), std::string("new"));
  buffer.Clear();
  EXPECT_TRUE(buffer.empty());
  EXPECT_TRUE(buffer.data() == nullptr);
  ASSERT_TRUE(buffer.Append("again", 5));
  EXPECT_EQ(Text(buffer), std::string("again"));
}

TEST(MovesLeaveTheSourceEmpty) {
  ByteBuffer a;
  ASSERT_TRUE(a.Append("payload", 7));
  ByteBuffer b(std::move(a));
  EXPECT_TRUE(a.empty());
  EXPECT_TRUE(a.data() == nullptr);
  EXPECT_EQ(Text(b), std::string("payload"));
  ByteBuffer c;
  ASSERT_TRUE(c.Append("other", 5));
  c = std::move(b);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(Text(c), std::string("payload"));
}

TEST(ReleaseHandsOverTheBlock) {
  ByteBuffer buffer;
  ASSERT_TRUE(buffer.Append("handed over", 11));
  char* block = buffer.Release();
  ASSERT_TRUE(block != nullptr);
  EXPECT_EQ(std::string(block, 11), std::string("handed over"));
  EXPECT_TRUE(buffer.empty());
  EXPECT_TRUE(buffer.data() == nullptr);
  std::free(block);
  ByteBuffer empty;
  EXPECT_TRUE(empty.Release() == nullptr);
}

TEST(RefusesWhatCannotBeHeld) {
  ByteBuffer buffer;
  ASSERT_TRUE(buffer.Append("abc", 3));
  // A length no allocation can satisfy: refused, and what was there stays.
  EXPECT_FALSE(buffer.Append("x", static_cast<size_t>(-1) / 2 + 2));
  EXPECT_EQ(Text(buffer), std::string("abc"));
}
