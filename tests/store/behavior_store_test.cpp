#include "encoder/store/behavior_store.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "encoder/store/ttl_compaction_filter.h"
#include "tests/store/store_test_util.h"

namespace bahed::encoder {
namespace {

using testing::open_or_fail;
using testing::put_test_vectors;
using testing::TempDir;
using testing::test_options;
using testing::test_vector;
using testing::update;

constexpr EncoderSpec kSpec{0xABCD, 8};

// Fills a store with two vectors, one history and a watermark, and closes it.
void fill(const StoreOptions& options, const Clock& clock, const std::vector<BehaviorKey>& keys) {
  auto store = open_or_fail(options, kSpec, clock);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(put_test_vectors(*store, keys).is_ok());
  ASSERT_TRUE(store->apply_history(std::vector<HistoryUpdate>{update("u1", 2, 40), update("u1", 2, 41)}).is_ok());
  EXPECT_TRUE(store->close().is_ok());
}

void expect_filled(BehaviorStore& store, const std::vector<BehaviorKey>& keys) {
  Result<std::vector<VectorLookup>> got = store.multi_get_vectors(keys);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_TRUE((*got)[i].found);
    EXPECT_EQ((*got)[i].values, test_vector(kSpec.dimension, static_cast<int>(i)));
  }
  Result<std::vector<HistoryEntry>> h = store.read_history("u1", 10);
  ASSERT_TRUE(h.is_ok());
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[1].offset, 41);
  EXPECT_EQ(*store.applied_offsets(), (std::map<int32_t, int64_t>{{2, 42}}));
}

std::vector<BehaviorKey> two_keys() {
  return {make_behavior_key(kSpec.version, "default", "rated 4.5: Heat (1995)"),
          make_behavior_key(kSpec.version, "search", "searched: cheap flights to Lisbon")};
}

TEST(BehaviorStore, ReopenKeepsVectorsHistoriesAndOffsets) {
  TempDir dir;
  FakeClock clock;
  const StoreOptions options = test_options(dir.path("db"));
  fill(options, clock, two_keys());
  auto store = open_or_fail(options, kSpec, clock);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->open_report().previous, (EncoderVersionInfo{kSpec.version, kSpec.dimension}));
  EXPECT_FALSE(store->open_report().encoder_changed());
  expect_filled(*store, two_keys());
  EXPECT_TRUE(store->close().is_ok());
  EXPECT_TRUE(store->close().is_ok());  // idempotent
}

TEST(BehaviorStore, ReadOnlyOpenSeesDataAndRefusesWrites) {
  TempDir dir;
  FakeClock clock;
  const StoreOptions options = test_options(dir.path("db"));
  fill(options, clock, two_keys());
  clock.advance_ms(3 * kMsPerDay);  // hits would be touched by a writer
  Result<std::unique_ptr<BehaviorStore>> opened = BehaviorStore::open_read_only(options, kSpec, clock);
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  BehaviorStore& store = **opened;
  EXPECT_TRUE(store.open_report().current_known);
  expect_filled(store, two_keys());
  EXPECT_EQ(store.stats().n_vector_touches, 0u);
  EXPECT_EQ(put_test_vectors(store, two_keys()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store.apply_history(std::vector<HistoryUpdate>{update("u1", 2, 50)}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store.try_catch_up().code(), StatusCode::kInvalidArgument);  // not a secondary
  EXPECT_TRUE(store.close().is_ok());
}

TEST(BehaviorStore, ReadOnlyOpenReportsAnUnknownEncoderVersion) {
  TempDir dir;
  FakeClock clock;
  const StoreOptions options = test_options(dir.path("db"));
  fill(options, clock, two_keys());
  Result<std::unique_ptr<BehaviorStore>> opened =
      BehaviorStore::open_read_only(options, EncoderSpec{kSpec.version + 1, 8}, clock);
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  EXPECT_FALSE((*opened)->open_report().current_known);
  EXPECT_TRUE((*opened)->close().is_ok());
}

TEST(BehaviorStore, ReadOnlyOpenFailsWithoutAStore) {
  TempDir dir;
  FakeClock clock;
  const auto opened = BehaviorStore::open_read_only(test_options(dir.path("missing")), kSpec, clock);
  ASSERT_FALSE(opened.is_ok());
  EXPECT_NE(opened.status().message().find("opening behavior store"), std::string::npos);
}

TEST(BehaviorStore, SecondaryCatchesUpWithThePrimary) {
  TempDir dir;
  FakeClock clock;
  const StoreOptions options = test_options(dir.path("db"));
  auto primary = open_or_fail(options, kSpec, clock);
  ASSERT_NE(primary, nullptr);
  const std::vector<BehaviorKey> keys = two_keys();
  ASSERT_TRUE(put_test_vectors(*primary, {keys[0]}).is_ok());

  Result<std::unique_ptr<BehaviorStore>> opened =
      BehaviorStore::open_secondary(options, dir.path("secondary"), kSpec, clock);
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  BehaviorStore& secondary = **opened;
  ASSERT_TRUE(put_test_vectors(*primary, {keys[1]}, 1).is_ok());
  ASSERT_TRUE(primary->apply_history(std::vector<HistoryUpdate>{update("u1", 0, 7)}).is_ok());

  Result<std::vector<VectorLookup>> before = secondary.multi_get_vectors(keys);
  ASSERT_TRUE(before.is_ok());
  EXPECT_TRUE((*before)[0].found);
  EXPECT_FALSE((*before)[1].found);
  ASSERT_TRUE(secondary.try_catch_up().is_ok());
  Result<std::vector<VectorLookup>> after = secondary.multi_get_vectors(keys);
  ASSERT_TRUE(after.is_ok());
  EXPECT_TRUE((*after)[1].found);
  EXPECT_EQ((*after)[1].values, test_vector(kSpec.dimension, 1));
  EXPECT_EQ(*secondary.applied_offsets(), (std::map<int32_t, int64_t>{{0, 8}}));
  EXPECT_TRUE(secondary.close().is_ok());
  EXPECT_TRUE(primary->close().is_ok());
}

TEST(BehaviorStore, SecondaryNeedsItsOwnDirectory) {
  TempDir dir;
  FakeClock clock;
  const StoreOptions options = test_options(dir.path("db"));
  EXPECT_EQ(BehaviorStore::open_secondary(options, options.path, kSpec, clock).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(BehaviorStore, RefusesBadOptionsNamingTheYamlKey) {
  TempDir dir;
  FakeClock clock;
  StoreOptions options = test_options(dir.path("db"));
  options.history_length = 0;
  const auto opened = BehaviorStore::open(options, kSpec, clock);
  ASSERT_FALSE(opened.is_ok());
  EXPECT_NE(opened.status().message().find("store.history_length"), std::string::npos);
  EXPECT_EQ(BehaviorStore::open(test_options(dir.path("db")), EncoderSpec{1, 0}, clock).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(BehaviorStore, StatsReportSizeAndCounts) {
  TempDir dir;
  FakeClock clock;
  auto store = open_or_fail(test_options(dir.path("db")), kSpec, clock);
  ASSERT_NE(store, nullptr);
  std::vector<BehaviorKey> keys;
  for (int i = 0; i < 100; ++i)
    keys.push_back(make_behavior_key(kSpec.version, "default", "item " + std::to_string(i)));
  ASSERT_TRUE(put_test_vectors(*store, keys).is_ok());
  ASSERT_TRUE(store->compact_vectors().is_ok());
  ASSERT_TRUE(store->multi_get_vectors(keys).is_ok());
  const StoreStats s = store->stats();
  EXPECT_EQ(s.n_vectors_written, 100u);
  EXPECT_GE(s.n_vectors_estimate, 100u);
  EXPECT_GT(s.size_on_disk_bytes, 100u * 16);
  EXPECT_EQ(s.n_hot_cache_entries, 16u);  // test_options' capacity
  EXPECT_EQ(s.n_hot_cache_hits, 16u);     // the last 16 put are still hot
  EXPECT_EQ(s.n_vector_lookups_found, 84u);
  EXPECT_GT(s.n_block_cache_hits + s.n_block_cache_misses, 0u);
  EXPECT_FALSE(s.write_failed);
  EXPECT_TRUE(store->close().is_ok());
}

}  // namespace
}  // namespace bahed::encoder
