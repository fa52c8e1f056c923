#pragma once
// The process's resident set size, from /proc/self/statm (Linux); 0 when
// it cannot be read.
#include <unistd.h>

#include <cstdint>
#include <fstream>

namespace bahed {

inline int64_t resident_memory_bytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0;
  return resident_pages * sysconf(_SC_PAGESIZE);
}

}  // namespace bahed
