#include "encoder/store/vector_table.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <vector>

#include "encoder/store/rocksdb_config.h"
#include "encoder/store/ttl_compaction_filter.h"
#include "encoder/store/vector_codec.h"
#include "tests/store/store_test_util.h"

namespace bahed::encoder {
namespace {

using testing::open_or_fail;
using testing::put_test_vectors;
using testing::TempDir;
using testing::test_options;
using testing::test_vector;

constexpr EncoderSpec kSpec{7, 8};

std::vector<BehaviorKey> keys_for(std::initializer_list<const char*> texts) {
  std::vector<BehaviorKey> keys;
  for (const char* t : texts) keys.push_back(make_behavior_key(kSpec.version, "default", t));
  return keys;
}

TEST(VectorTable, ReturnsPutVectorsAndMissesUnknownKeys) {
  TempDir dir;
  FakeClock clock;
  auto store = open_or_fail(test_options(dir.path("db")), kSpec, clock);
  ASSERT_NE(store, nullptr);
  const auto keys = keys_for({"a", "b", "c"});
  ASSERT_TRUE(put_test_vectors(*store, keys).is_ok());

  const auto lookup = keys_for({"a", "never seen", "c"});
  Result<std::vector<VectorLookup>> got = store->multi_get_vectors(lookup);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  ASSERT_EQ(got->size(), 3u);
  EXPECT_TRUE((*got)[0].found);
  EXPECT_EQ((*got)[0].values, test_vector(8, 0));
  EXPECT_FALSE((*got)[1].found);
  EXPECT_TRUE((*got)[1].values.empty());
  EXPECT_TRUE((*got)[2].found);
  EXPECT_EQ((*got)[2].values, test_vector(8, 2));
  EXPECT_TRUE(store->close().is_ok());
}

TEST(VectorTable, CountsHotCacheHitsApartFromRocksDbReads) {
  TempDir dir;
  FakeClock clock;
  const StoreOptions options = test_options(dir.path("db"));
  const auto keys = keys_for({"a", "b"});
  {
    auto store = open_or_fail(options, kSpec, clock);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(put_test_vectors(*store, keys).is_ok());
    ASSERT_TRUE(store->multi_get_vectors(keys).is_ok());  // both cached by put
    const StoreStats s = store->stats();
    EXPECT_EQ(s.n_hot_cache_hits, 2u);
    EXPECT_EQ(s.n_hot_cache_misses, 0u);
    EXPECT_EQ(s.n_vector_lookups_found, 0u);
    EXPECT_TRUE(store->close().is_ok());
  }
  auto store = open_or_fail(options, kSpec, clock);  // empty hot cache
  ASSERT_NE(store, nullptr);
  const auto lookup = keys_for({"a", "b", "absent"});
  Result<std::vector<VectorLookup>> first = store->multi_get_vectors(lookup);
  ASSERT_TRUE(first.is_ok());
  Result<std::vector<VectorLookup>> second = store->multi_get_vectors(lookup);
  ASSERT_TRUE(second.is_ok());
  for (size_t i = 0; i < lookup.size(); ++i) {
    EXPECT_EQ((*first)[i].found, (*second)[i].found);
    EXPECT_EQ((*first)[i].values, (*second)[i].values);  // a hit returns what a read returned
  }
  const StoreStats s = store->stats();
  EXPECT_EQ(s.n_hot_cache_misses, 4u);  // a, b, absent; then absent again
  EXPECT_EQ(s.n_hot_cache_hits, 2u);    // a, b the second time
  EXPECT_EQ(s.n_vector_lookups_found, 2u);
  EXPECT_EQ(s.n_vector_lookups_missing, 2u);
  EXPECT_DOUBLE_EQ(s.hot_cache_hit_rate(), 2.0 / 6.0);
  EXPECT_TRUE(store->close().is_ok());
}

TEST(VectorTable, StoresInTheConfiguredDtype) {
  const std::vector<float> value(8, 1.0f + 0x1p-9f);  // exact in fp16, rounds to 1 in bf16
  for (const VectorDtype dtype : {VectorDtype::kFp16, VectorDtype::kBf16}) {
    TempDir dir;
    FakeClock clock;
    StoreOptions options = test_options(dir.path("db"));
    options.vector_dtype = dtype;
    options.hot_cache_entries = 0;  // read back from RocksDB
    auto store = open_or_fail(options, kSpec, clock);
    ASSERT_NE(store, nullptr);
    const BehaviorKey key = make_behavior_key(kSpec.version, "default", "x");
    const VectorRecord record{key, value};
    ASSERT_TRUE(store->put_vectors({&record, 1}).is_ok());
    Result<std::vector<VectorLookup>> got = store->multi_get_vectors({&key, 1});
    ASSERT_TRUE(got.is_ok());
    EXPECT_EQ((*got)[0].values[0], dtype == VectorDtype::kFp16 ? 1.0f + 0x1p-9f : 1.0f);
    EXPECT_EQ((*got)[0].dtype, dtype);
    EXPECT_TRUE(store->close().is_ok());
  }
}

TEST(VectorTable, RefusesKeysOfAnotherVersionAndWrongLengths) {
  TempDir dir;
  FakeClock clock;
  auto store = open_or_fail(test_options(dir.path("db")), kSpec, clock);
  ASSERT_NE(store, nullptr);
  const BehaviorKey other = make_behavior_key(kSpec.version + 1, "default", "x");
  EXPECT_EQ(store->multi_get_vectors({&other, 1}).status().code(), StatusCode::kInvalidArgument);
  const std::vector<float> values(8, 0.0f);
  const VectorRecord wrong_version{other, values};
  EXPECT_EQ(store->put_vectors({&wrong_version, 1}).code(), StatusCode::kInvalidArgument);
  const std::vector<float> short_values(7, 0.0f);
  const VectorRecord wrong_length{make_behavior_key(kSpec.version, "default", "x"), short_values};
  const Status s = store->put_vectors({&wrong_length, 1});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("7 values"), std::string::npos);
  EXPECT_TRUE(store->close().is_ok());
}

TEST(VectorTable, ReportsStoredValueWithOtherDimensionAsCorruptionNamingTheKey) {
  TempDir dir;
  FakeClock clock;
  StoreOptions options = test_options(dir.path("db"));
  const BehaviorKey key = make_behavior_key(kSpec.version, "default", "x");
  {
    auto store = open_or_fail(options, kSpec, clock);
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->close().is_ok());
  }
  {
    // Overwrite the value behind the store's back with a 4-dimensional one.
    const RocksDbShared shared = make_rocksdb_shared(options);
    const RocksDbConfig config = make_rocksdb_config(options, OpenMode::kReadWrite, clock, nullptr, shared);
    Result<std::unique_ptr<RocksDbHandle>> raw = RocksDbHandle::open(config, options.path, OpenMode::kReadWrite, "");
    ASSERT_TRUE(raw.is_ok()) << raw.status().to_string();
    const std::string bad = encode_vector(std::vector<float>(4, 1.0f), VectorDtype::kBf16, 0);
    ASSERT_TRUE((*raw)->db().Put(rocksdb::WriteOptions(), (*raw)->cf(ColumnFamily::kVectors), key.encode(), bad).ok());
    ASSERT_TRUE((*raw)->close().is_ok());
  }
  auto store = open_or_fail(options, kSpec, clock);
  ASSERT_NE(store, nullptr);
  const Result<std::vector<VectorLookup>> got = store->multi_get_vectors({&key, 1});
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().code(), StatusCode::kCorruption);
  EXPECT_NE(got.status().message().find(key.hex()), std::string::npos) << got.status().message();
  EXPECT_TRUE(store->close().is_ok());
}

TEST(VectorTable, RefreshesLastSeenAtMostOnceADay) {
  TempDir dir;
  FakeClock clock;
  auto store = open_or_fail(test_options(dir.path("db")), kSpec, clock);
  ASSERT_NE(store, nullptr);
  const auto keys = keys_for({"a", "b"});
  ASSERT_TRUE(put_test_vectors(*store, keys).is_ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store->multi_get_vectors(keys).is_ok());
  EXPECT_EQ(store->stats().n_vector_touches, 0u);  // written today
  clock.advance_ms(kMsPerDay);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store->multi_get_vectors(keys).is_ok());
  EXPECT_EQ(store->stats().n_vector_touches, 2u);  // once each, not once per read
  EXPECT_TRUE(store->close().is_ok());
}

}  // namespace
}  // namespace bahed::encoder
