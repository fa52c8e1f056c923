#include "encoder/store/text_table.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <optional>
#include <string>
#include <vector>

#include "encoder/store/big_endian.h"
#include "encoder/store/rocksdb_config.h"
#include "encoder/store/text_codec.h"
#include "encoder/store/ttl_compaction_filter.h"
#include "tests/store/store_test_util.h"

namespace bahed::encoder {
namespace {

using testing::open_or_fail;
using testing::put_test_behaviors;
using testing::put_test_vectors;
using testing::TempDir;
using testing::test_options;
using testing::test_vector;

constexpr EncoderSpec kSpec{21, 8};

std::vector<std::optional<BehaviorText>> texts_of(BehaviorStore& store, const std::vector<BehaviorKey>& keys) {
  std::vector<Hash128> hashes;
  for (const BehaviorKey& k : keys) hashes.push_back(k.behavior);
  Result<std::vector<std::optional<BehaviorText>>> got = store.multi_get_texts(hashes);
  EXPECT_TRUE(got.is_ok()) << got.status().to_string();
  return got.is_ok() ? std::move(got).value() : std::vector<std::optional<BehaviorText>>(keys.size());
}

TEST(TextCodec, RoundTripsFeatureAndText) {
  for (const std::string& feature : {std::string(), std::string("default"), std::string(200, 'f')}) {
    for (const std::string& text : {std::string(), std::string("Am\u00E9lie (2001)"), std::string(5000, 't')}) {
      const std::string value = encode_behavior_text(feature, text);
      Result<BehaviorText> got = decode_behavior_text(value, "k");
      ASSERT_TRUE(got.is_ok()) << got.status().to_string();
      EXPECT_EQ(got->feature, feature);
      EXPECT_EQ(got->text, text);
    }
  }
}

TEST(TextCodec, SpendsTwoBytesBeyondTheStringsForShortFeatures) {
  EXPECT_EQ(encode_behavior_text("search", "cheap flights").size(), 2u + 6u + 13u);
  EXPECT_EQ(encode_behavior_text(std::string(127, 'f'), "").size(), 2u + 127u);
  EXPECT_EQ(encode_behavior_text(std::string(128, 'f'), "").size(), 3u + 128u);  // two varint bytes
}

TEST(TextCodec, ReportsMalformedValuesAsCorruptionNamingTheKey) {
  const std::string good = encode_behavior_text("default", "text");
  const std::vector<std::string> bad = {
      "",                          // no format byte
      std::string("\x02\x00", 2),  // unknown format
      std::string("\x01\x80", 2),  // truncated varint
      std::string("\x01\x08"
                  "default"),                               // feature length past the end
      std::string("\x01") + std::string(11, '\x80') + "x",  // over-long varint
  };
  for (const std::string& value : bad) {
    Result<BehaviorText> got = decode_behavior_text(value, "00ff");
    ASSERT_FALSE(got.is_ok()) << to_hex(value);
    EXPECT_EQ(got.status().code(), StatusCode::kCorruption);
    EXPECT_NE(got.status().message().find("00ff"), std::string::npos);
  }
  EXPECT_TRUE(decode_behavior_text(good, "k").is_ok());
}

TEST(TextTable, ReturnsWrittenTextsAndNulloptForUnknownBehaviors) {
  TempDir dir;
  FakeClock clock;
  auto store = open_or_fail(test_options(dir.path("db")), kSpec, clock);
  ASSERT_NE(store, nullptr);
  Result<std::vector<BehaviorKey>> keys =
      put_test_behaviors(*store, {{"default", "  rated 4.5:  Heat (1995) "}, {"search", "cafe\xCC\x81 Lisbon"}});
  ASSERT_TRUE(keys.is_ok()) << keys.status().to_string();
  std::vector<BehaviorKey> lookup = *keys;
  lookup.insert(lookup.begin() + 1, make_behavior_key(kSpec.version, "default", "never written"));

  const std::vector<std::optional<BehaviorText>> texts = texts_of(*store, lookup);
  ASSERT_EQ(texts.size(), 3u);
  EXPECT_EQ(texts[0], (BehaviorText{"default", "rated 4.5: Heat (1995)"}));  // stored normalized
  EXPECT_FALSE(texts[1].has_value());
  EXPECT_EQ(texts[2], (BehaviorText{"search", "caf\u00E9 Lisbon"}));
  EXPECT_TRUE(texts_of(*store, {}).empty());
  EXPECT_TRUE(store->close().is_ok());
}

TEST(TextTable, PutVectorsAloneWritesNoText) {
  TempDir dir;
  FakeClock clock;
  auto store = open_or_fail(test_options(dir.path("db")), kSpec, clock);
  ASSERT_NE(store, nullptr);
  const BehaviorKey key = make_behavior_key(kSpec.version, "default", "vector only");
  ASSERT_TRUE(put_test_vectors(*store, {key}).is_ok());
  EXPECT_FALSE(texts_of(*store, {key})[0].has_value());
  EXPECT_TRUE(store->close().is_ok());
}

// Texts are what re-encodes history behaviors under a new encoder version,
// so they outlive the TTL of the vectors they were written with.
TEST(TextTable, KeepsTextsWhenTheTtlDropsTheirVectors) {
  TempDir dir;
  FakeClock clock;
  StoreOptions options = test_options(dir.path("db"));
  options.ttl_days = 2;
  auto store = open_or_fail(options, kSpec, clock);
  ASSERT_NE(store, nullptr);
  Result<std::vector<BehaviorKey>> keys = put_test_behaviors(*store, {{"default", "old behavior"}});
  ASSERT_TRUE(keys.is_ok()) << keys.status().to_string();
  clock.advance_ms(10 * kMsPerDay);
  ASSERT_TRUE(store->close().is_ok());
  store = open_or_fail(options, kSpec, clock);  // empty hot cache
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->compact_vectors().is_ok());
  Result<std::vector<VectorLookup>> vectors = store->multi_get_vectors(*keys);
  ASSERT_TRUE(vectors.is_ok());
  EXPECT_FALSE((*vectors)[0].found);
  EXPECT_EQ(texts_of(*store, *keys)[0], (BehaviorText{"default", "old behavior"}));
  EXPECT_TRUE(store->close().is_ok());
}

TEST(TextTable, ReportsACorruptStoredTextNamingTheBehavior) {
  TempDir dir;
  FakeClock clock;
  const StoreOptions options = test_options(dir.path("db"));
  const BehaviorKey key = make_behavior_key(kSpec.version, "default", "x");
  {
    auto store = open_or_fail(options, kSpec, clock);
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->close().is_ok());
  }
  {
    const RocksDbShared shared = make_rocksdb_shared(options);
    const RocksDbConfig config = make_rocksdb_config(options, OpenMode::kReadWrite, clock, nullptr, shared);
    Result<std::unique_ptr<RocksDbHandle>> raw = RocksDbHandle::open(config, options.path, OpenMode::kReadWrite, "");
    ASSERT_TRUE(raw.is_ok()) << raw.status().to_string();
    ASSERT_TRUE((*raw)
                    ->db()
                    .Put(rocksdb::WriteOptions(), (*raw)->cf(ColumnFamily::kTexts), key.behavior.bytes(), "\x07junk")
                    .ok());
    ASSERT_TRUE((*raw)->close().is_ok());
  }
  auto store = open_or_fail(options, kSpec, clock);
  ASSERT_NE(store, nullptr);
  const Result<std::vector<std::optional<BehaviorText>>> got = store->multi_get_texts({&key.behavior, 1});
  ASSERT_FALSE(got.is_ok());
  EXPECT_EQ(got.status().code(), StatusCode::kCorruption);
  EXPECT_NE(got.status().message().find(key.behavior.hex()), std::string::npos) << got.status().message();
  EXPECT_TRUE(store->close().is_ok());
}

}  // namespace
}  // namespace bahed::encoder
