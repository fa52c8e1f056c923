#include "encoder/store/hot_vector_cache.h"

#include <gtest/gtest.h>

namespace bahed::encoder {
namespace {

BehaviorKey key(uint64_t i) { return BehaviorKey{1, Hash128{0, i}}; }
DecodedVector vec(float x) { return DecodedVector{{x}, VectorDtype::kBf16, 0}; }

TEST(HotVectorCache, EvictsLeastRecentlyUsedAndCountsHits) {
  HotVectorCache cache(2);
  cache.put(key(1), vec(1));
  cache.put(key(2), vec(2));
  ASSERT_TRUE(cache.get(key(1)).has_value());  // 1 is now more recent than 2
  cache.put(key(3), vec(3));                   // evicts 2
  EXPECT_FALSE(cache.get(key(2)).has_value());
  ASSERT_TRUE(cache.get(key(3)).has_value());
  EXPECT_EQ(cache.get(key(1))->values[0], 1.0f);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.hits(), 3u);
  EXPECT_EQ(cache.misses(), 1u);
}

TEST(HotVectorCache, UpdatesLastSeenDayInPlace) {
  HotVectorCache cache(4);
  cache.put(key(1), vec(1));
  cache.set_last_seen_day(key(1), 99);
  cache.set_last_seen_day(key(2), 99);  // absent: no effect
  EXPECT_EQ(cache.get(key(1))->last_seen_day, 99u);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(HotVectorCache, StoresNothingWhenCapacityIsZero) {
  HotVectorCache cache(0);
  cache.put(key(1), vec(1));
  EXPECT_FALSE(cache.get(key(1)).has_value());
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace bahed::encoder
