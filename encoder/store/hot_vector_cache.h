#pragma once
// HotVectorCache: an LRU of decoded vectors in front of RocksDB. A hit costs
// a hash lookup and a copy, instead of a block-cache lookup plus an fp16/bf16
// decode. Thread-safe (one mutex; the critical sections are O(1) apart from
// the copy of the vector).
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

#include "encoder/store/behavior_key.h"
#include "encoder/store/vector_codec.h"

namespace bahed::encoder {

class HotVectorCache {
 public:
  // capacity 0: every get misses and put does nothing.
  explicit HotVectorCache(uint64_t capacity) : capacity_(capacity) {}

  // A copy of the cached vector, marked most recently used; counts a hit or
  // a miss.
  std::optional<DecodedVector> get(const BehaviorKey& key);
  // Inserts or replaces, evicting the least recently used past capacity.
  void put(const BehaviorKey& key, DecodedVector vector);
  // Updates the last-seen day of a cached vector, if present.
  void set_last_seen_day(const BehaviorKey& key, uint32_t day);

  uint64_t hits() const;
  uint64_t misses() const;
  uint64_t size() const;

 private:
  using Entry = std::pair<BehaviorKey, DecodedVector>;

  const uint64_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // guarded by mu_; front = most recently used
  std::unordered_map<BehaviorKey, std::list<Entry>::iterator, BehaviorKeyHasher> index_;  // guarded by mu_
  uint64_t hits_ = 0;                                                                     // guarded by mu_
  uint64_t misses_ = 0;                                                                   // guarded by mu_
};

}  // namespace bahed::encoder
