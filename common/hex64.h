#pragma once
// 64-bit values as exactly 16 lowercase hex digits: how fingerprints and
// checksums are written in manifests and logs, so the writer (the daemon)
// and every reader (restore, scorer, audit) compare the same text.
#include <cstdint>
#include <cstdio>
#include <string>

namespace bahed {

inline std::string hex64(uint64_t value) {
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(value));
  return out;
}

}  // namespace bahed
