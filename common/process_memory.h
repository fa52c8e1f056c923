#pragma once
// The process's memory: its resident set size, and the two glibc malloc
// controls a long-running daemon needs.
//
// Why the controls: glibc gives each thread that finds the arenas busy an
// arena of its own (up to 8 per core), and memory freed into an arena stays
// resident until malloc_trim. A 10M-event soak showed seven such 64 MiB
// arenas mostly full and the RSS climbing by about 30 MiB per 9 minutes.
#include <malloc.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>

namespace bahed {

// Resident set size from /proc/self/statm (Linux); 0 when it cannot be read.
inline int64_t resident_memory_bytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0;
  return resident_pages * sysconf(_SC_PAGESIZE);
}

// Caps the number of malloc arenas (M_ARENA_MAX); arenas already created
// stay. Call before threads start. False when the allocator refused.
inline bool set_malloc_arena_max(int n_arenas) { return mallopt(M_ARENA_MAX, n_arenas) == 1; }

// Returns the free pages of every arena to the operating system
// (malloc_trim(0) also releases free pages inside an arena, not only its
// top). Blocks each arena's allocations while it walks that arena.
inline void release_free_heap() { malloc_trim(0); }

}  // namespace bahed
