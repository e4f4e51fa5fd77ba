// Memory for one libssh2 session (its allocation callbacks), with a few spare packet-sized blocks.
//
// libssh2 mallocs a block for every packet it receives (up to 35,000 bytes) and frees it once a
// channel has read it; with patch 0005 its transport buffers come and go the same way. glibc
// serves such blocks from the top of the engine thread's arena and hands the top back to the
// kernel whenever it grows past the trim threshold, so a bulk download faulted in fresh pages
// for about every packet (measured: half the page faults of a 256 MiB download, the rest being
// the output itself). Here every block of kPooledMin..kPooledSize bytes is kPooledSize long, and
// up to kMaxSpares freed ones are kept for the next request while the session is busy (commands
// run: SetIdle(false)). A new pool is idle: the connect and login keep no spares, and when the
// session goes idle again (SetIdle(true)) the spares are freed, so an idle connection keeps none.
// (Spares kept through the login, zeroed when freed, left ~10 KiB more resident per idle
// connection: bench memory, 30-38 against 18-25 KiB.)
//
// Each block carries a 16-byte header with the size asked for and the most bytes it has held, so
// Free() and Realloc() know the block's class and how much to zero; libssh2 frees what it
// allocated with these callbacks only through them. Free() zeroes those bytes first (passwords,
// keyboard answers, key material and plaintext packets pass through libssh2's blocks, and libssh2
// does not clear them); Realloc() never uses std::realloc, which would free the old block unzeroed.
// A block handed back to malloc is zeroed with WipeAndRelease() (its whole pages go back to the
// kernel): a memset would fault in the pages of a 40 KiB block that held a few bytes, and freed
// heap memory stays resident (measured: ~25 KiB more RSS per idle connection).
#ifndef NATIVE_SSH_CORE_UTIL_BLOCK_POOL_H_
#define NATIVE_SSH_CORE_UTIL_BLOCK_POOL_H_

#include <cstddef>
#include <vector>

namespace native_ssh::core {

class BlockPool {
 public:
  BlockPool() = default;
  ~BlockPool();
  BlockPool(const BlockPool&) = delete;
  BlockPool& operator=(const BlockPool&) = delete;

  void* Alloc(size_t size);
  void Free(void* block);
  void* Realloc(void* block, size_t size);
  // Frees the spare blocks.
  void Trim();
  // Idle: the spares are freed and freed blocks are not kept; busy: they are kept again.
  void SetIdle(bool idle);

  size_t spares() const { return spares_.size(); }

  static constexpr size_t kPooledMin = 4096;
  // libssh2's largest packet block (LIBSSH2_PACKET_MAXPAYLOAD, 40,000 bytes) fits.
  static constexpr size_t kPooledSize = 40 * 1024;
  static constexpr size_t kMaxSpares = 64;

 private:
  std::vector<void*> spares_;
  bool idle_ = true;  // a session's pool starts idle: no spares before its first command
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_UTIL_BLOCK_POOL_H_
