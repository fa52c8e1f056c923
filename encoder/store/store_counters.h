#pragma once
// StoreCounters: the store's own counters in one block, bumped by the tables
// and read by stats(). Relaxed atomics: they are monotonic tallies.
#include <atomic>
#include <cstdint>

namespace bahed::encoder {

struct StoreCounters {
  std::atomic<uint64_t> n_vector_lookups_found{0};
  std::atomic<uint64_t> n_vector_lookups_missing{0};
  std::atomic<uint64_t> n_vectors_written{0};
  std::atomic<uint64_t> n_vector_touches{0};
  std::atomic<uint64_t> n_history_updates_applied{0};
  std::atomic<uint64_t> n_history_updates_skipped{0};
};

}  // namespace bahed::encoder
