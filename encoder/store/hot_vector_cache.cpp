#include "encoder/store/hot_vector_cache.h"

namespace bahed::encoder {

std::optional<DecodedVector> HotVectorCache::get(const BehaviorKey& key) {
  std::lock_guard lock(mu_);
  const auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

void HotVectorCache::put(const BehaviorKey& key, DecodedVector vector) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mu_);
  if (const auto it = index_.find(key); it != index_.end()) {
    it->second->second = std::move(vector);
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.emplace_front(key, std::move(vector));
  index_.emplace(key, lru_.begin());
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

void HotVectorCache::set_last_seen_day(const BehaviorKey& key, uint32_t day) {
  std::lock_guard lock(mu_);
  if (const auto it = index_.find(key); it != index_.end()) it->second->second.last_seen_day = day;
}

uint64_t HotVectorCache::hits() const {
  std::lock_guard lock(mu_);
  return hits_;
}

uint64_t HotVectorCache::misses() const {
  std::lock_guard lock(mu_);
  return misses_;
}

uint64_t HotVectorCache::size() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

}  // namespace bahed::encoder
