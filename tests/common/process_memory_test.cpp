#include "common/process_memory.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace bahed {
namespace {

TEST(ProcessMemory, ReadsTheResidentSetSize) {
  const int64_t before = resident_memory_bytes();
  EXPECT_GT(before, 0);
  std::vector<char> touched(64 << 20);
  std::memset(touched.data(), 1, touched.size());
  EXPECT_GE(resident_memory_bytes() - before, 48 << 20);
}

// What the daemon's heap trim relies on: small blocks freed below a live one
// stay resident (free() can only shrink the heap from its top) until
// release_free_heap() hands their pages back.
TEST(ProcessMemory, ReleaseFreeHeapReturnsFreedPagesBelowALiveBlock) {
  constexpr size_t kBlock = 2000, kBlocks = 100'000;  // 200 MB of small blocks, below the mmap threshold
  std::vector<void*> blocks;
  blocks.reserve(kBlocks);
  for (size_t i = 0; i < kBlocks; ++i) {
    blocks.push_back(std::malloc(kBlock));
    ASSERT_NE(blocks.back(), nullptr);
    std::memset(blocks.back(), 1, kBlock);
  }
  void* pin = std::malloc(kBlock);  // above them all: the heap's top stays in use
  ASSERT_NE(pin, nullptr);
  std::memset(pin, 1, kBlock);
  for (void* b : blocks) std::free(b);
  const int64_t freed_but_resident = resident_memory_bytes();
  release_free_heap();
  const int64_t after = resident_memory_bytes();
  std::free(pin);
  EXPECT_GE(freed_but_resident - after, int64_t{150} << 20) << "before " << (freed_but_resident >> 20)
                                                             << " MiB, after " << (after >> 20) << " MiB";
}

TEST(ProcessMemory, CapsMallocArenas) { EXPECT_TRUE(set_malloc_arena_max(2)); }

}  // namespace
}  // namespace bahed
