#include "encoder/store/ttl_compaction_filter.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/store/store_test_util.h"

namespace bahed::encoder {
namespace {

using testing::open_or_fail;
using testing::put_test_vectors;
using testing::TempDir;
using testing::test_options;

constexpr EncoderSpec kSpec{3, 4};

TEST(TtlCompactionFilter, ExpiresStrictlyAfterTtlDays) {
  EXPECT_FALSE(is_expired(100, 130, 30));
  EXPECT_TRUE(is_expired(100, 131, 30));
  EXPECT_FALSE(is_expired(100, 100'000, 0));  // 0 keeps forever
  EXPECT_FALSE(is_expired(200, 100, 30));     // a clock that went back expires nothing
  EXPECT_EQ(epoch_day(kMsPerDay * 3 + 5), 3u);
}

// Writes `stale` and `fresh` on day 0, looks up `fresh` on day 20 (which
// rewrites its last-seen day), compacts on day 35 with a 30-day TTL, and
// reads both from a reopened store (so no hot-cache entry can answer).
TEST(TtlCompactionFilter, CompactionDropsOnlyVectorsUnseenForTtlDays) {
  TempDir dir;
  FakeClock clock;
  StoreOptions options = test_options(dir.path("db"));
  options.ttl_days = 30;
  const BehaviorKey stale = make_behavior_key(kSpec.version, "default", "stale");
  const BehaviorKey fresh = make_behavior_key(kSpec.version, "default", "fresh");
  {
    auto store = open_or_fail(options, kSpec, clock);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(put_test_vectors(*store, {stale, fresh}).is_ok());
    ASSERT_TRUE(store->compact_vectors().is_ok());  // both into an SST as of day 0
    clock.advance_ms(20 * kMsPerDay);
    ASSERT_TRUE(store->multi_get_vectors({&fresh, 1}).is_ok());
    EXPECT_EQ(store->stats().n_vector_touches, 1u);
    clock.advance_ms(15 * kMsPerDay);
    ASSERT_TRUE(store->compact_vectors().is_ok());
    EXPECT_TRUE(store->close().is_ok());
  }
  auto store = open_or_fail(options, kSpec, clock);
  ASSERT_NE(store, nullptr);
  const std::vector<BehaviorKey> keys = {stale, fresh};
  Result<std::vector<VectorLookup>> got = store->multi_get_vectors(keys);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_FALSE((*got)[0].found);
  EXPECT_TRUE((*got)[1].found);
  EXPECT_TRUE(store->close().is_ok());
}

TEST(TtlCompactionFilter, KeepsEverythingWhenTtlIsZero) {
  TempDir dir;
  FakeClock clock;
  StoreOptions options = test_options(dir.path("db"));
  options.ttl_days = 0;
  options.hot_cache_entries = 0;
  auto store = open_or_fail(options, kSpec, clock);
  ASSERT_NE(store, nullptr);
  const BehaviorKey key = make_behavior_key(kSpec.version, "default", "old");
  ASSERT_TRUE(put_test_vectors(*store, {key}).is_ok());
  clock.advance_ms(10'000 * kMsPerDay);
  ASSERT_TRUE(store->compact_vectors().is_ok());
  Result<std::vector<VectorLookup>> got = store->multi_get_vectors({&key, 1});
  ASSERT_TRUE(got.is_ok());
  EXPECT_TRUE((*got)[0].found);
  EXPECT_TRUE(store->close().is_ok());
}

}  // namespace
}  // namespace bahed::encoder
