#include "encoder/store/behavior_store.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "encoder/store/rocksdb_config.h"
#include "encoder/store/ttl_compaction_filter.h"
#include "tests/common/file_size_limit.h"
#include "tests/store/store_test_util.h"

namespace bahed::encoder {
namespace {

using testing::FailingEnv;
using testing::open_or_fail;
using testing::put_test_behaviors;
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

TEST(BehaviorStore, StatsCountTexts) {
  TempDir dir;
  FakeClock clock;
  const StoreOptions options = test_options(dir.path("db"));
  std::vector<testing::TestBehavior> behaviors;
  for (int i = 0; i < 50; ++i) behaviors.push_back({"default", "item " + std::to_string(i)});
  {
    auto store = open_or_fail(options, kSpec, clock);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(put_test_behaviors(*store, behaviors).is_ok());
    EXPECT_GE(store->stats().n_texts_estimate, 50u);
    EXPECT_TRUE(store->close().is_ok());
  }
  auto store = open_or_fail(options, kSpec, clock);  // recovery flushes the memtables
  ASSERT_NE(store, nullptr);
  const StoreStats s = store->stats();
  EXPECT_GE(s.n_texts_estimate, 50u);
  EXPECT_GT(s.texts_size_on_disk_bytes, 0u);
  EXPECT_GT(s.vectors_size_on_disk_bytes, 0u);
  EXPECT_GE(s.size_on_disk_bytes, s.texts_size_on_disk_bytes + s.vectors_size_on_disk_bytes);
  EXPECT_TRUE(store->close().is_ok());
}

std::vector<std::optional<BehaviorText>> texts_of(BehaviorStore& store, const std::vector<Hash128>& hashes) {
  Result<std::vector<std::optional<BehaviorText>>> got = store.multi_get_texts(hashes);
  EXPECT_TRUE(got.is_ok()) << got.status().to_string();
  return got.is_ok() ? std::move(got).value() : std::vector<std::optional<BehaviorText>>(hashes.size());
}

TEST(BehaviorStore, PutBehaviorsWritesVectorsAndTexts) {
  TempDir dir;
  FakeClock clock;
  auto store = open_or_fail(test_options(dir.path("db")), kSpec, clock);
  ASSERT_NE(store, nullptr);
  Result<std::vector<BehaviorKey>> keys = put_test_behaviors(*store, {{"default", "a"}, {"search", "b"}}, 5);
  ASSERT_TRUE(keys.is_ok()) << keys.status().to_string();
  Result<std::vector<VectorLookup>> vectors = store->multi_get_vectors(*keys);
  ASSERT_TRUE(vectors.is_ok());
  EXPECT_EQ((*vectors)[0].values, test_vector(kSpec.dimension, 5));
  EXPECT_EQ((*vectors)[1].values, test_vector(kSpec.dimension, 6));
  EXPECT_EQ(texts_of(*store, {(*keys)[0].behavior, (*keys)[1].behavior}),
            (std::vector<std::optional<BehaviorText>>{BehaviorText{"default", "a"}, BehaviorText{"search", "b"}}));
  EXPECT_EQ(store->stats().n_vectors_written, 2u);
  // Writing the same behaviors again (say, re-encoded) overwrites both.
  ASSERT_TRUE(put_test_behaviors(*store, {{"default", "a"}}, 9).is_ok());
  EXPECT_EQ((*store->multi_get_vectors({&(*keys)[0], 1}))[0].values, test_vector(kSpec.dimension, 9));
  EXPECT_EQ(texts_of(*store, {(*keys)[0].behavior})[0], (BehaviorText{"default", "a"}));
  EXPECT_TRUE(store->close().is_ok());
}

TEST(BehaviorStore, PutBehaviorsRefusesATextThatIsNotItsKeysHashAndWritesNothing) {
  TempDir dir;
  FakeClock clock;
  auto store = open_or_fail(test_options(dir.path("db")), kSpec, clock);
  ASSERT_NE(store, nullptr);
  const std::vector<float> values = test_vector(kSpec.dimension, 0);
  const BehaviorKey good = make_behavior_key(kSpec.version, "default", "good");
  const BehaviorKey bad = make_behavior_key(kSpec.version, "default", "  Not   normalized ");
  const std::vector<BehaviorRecord> records = {{good, "default", "good", values},
                                               {bad, "default", "  Not   normalized ", values}};
  const Status s = store->put_behaviors(records);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(bad.behavior.hex()), std::string::npos) << s.message();
  EXPECT_FALSE((*store->multi_get_vectors({&good, 1}))[0].found);
  EXPECT_FALSE(texts_of(*store, {good.behavior})[0].has_value());
  // A vector of the wrong length is refused the same way.
  const std::vector<float> short_values(kSpec.dimension - 1, 0.0f);
  const BehaviorRecord wrong_length{good, "default", "good", short_values};
  EXPECT_EQ(store->put_behaviors({&wrong_length, 1}).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(texts_of(*store, {good.behavior})[0].has_value());
  EXPECT_TRUE(store->close().is_ok());
}

// A failed write leaves neither the vectors nor the texts of its batch.
TEST(BehaviorStore, PutBehaviorsWritesVectorsAndTextsAtomically) {
  TempDir dir;
  FakeClock clock;
  FailingEnv failing;
  const StoreOptions options = test_options(dir.path("db"));
  std::vector<BehaviorKey> written;
  const BehaviorKey lost = make_behavior_key(kSpec.version, "default", "lost");
  {
    auto store = open_or_fail(options, kSpec, clock, failing.env.get());
    ASSERT_NE(store, nullptr);
    Result<std::vector<BehaviorKey>> keys = put_test_behaviors(*store, {{"default", "kept"}});
    ASSERT_TRUE(keys.is_ok());
    written = *keys;
    failing.fs->fail_writes = true;
    EXPECT_FALSE(put_test_behaviors(*store, {{"default", "lost"}}).is_ok());
    failing.fs->fail_writes = false;
    EXPECT_FALSE(put_test_behaviors(*store, {{"default", "lost"}}).is_ok());  // sticky
    store->close().ignore();  // may repeat the failure; the reopen is the check
  }
  auto store = open_or_fail(options, kSpec, clock);
  ASSERT_NE(store, nullptr);
  const std::vector<BehaviorKey> both = {written[0], lost};
  Result<std::vector<VectorLookup>> vectors = store->multi_get_vectors(both);
  ASSERT_TRUE(vectors.is_ok());
  EXPECT_TRUE((*vectors)[0].found);
  EXPECT_FALSE((*vectors)[1].found);
  const auto texts = texts_of(*store, {written[0].behavior, lost.behavior});
  EXPECT_TRUE(texts[0].has_value());
  EXPECT_FALSE(texts[1].has_value());
  EXPECT_TRUE(store->close().is_ok());
}

// A full disk fails every file of the store, RocksDB's informational log
// included. RocksDB's LOG file writer asserts on the line after a failed
// write (Debian's librocksdb keeps assertions): a memtable flush that failed
// logs, flushes the LOG (which fails) and logs again, and the process
// aborted instead of returning the write failure. The store now logs
// through bahed's logger, so no file but RocksDB's data can fail that way.
TEST(BehaviorStore, AFullDiskIsAWriteErrorNotAnAbort) {
  TempDir dir;
  FakeClock clock;
  const StoreOptions options = test_options(dir.path("db"));
  {
    auto store = open_or_fail(options, kSpec, clock);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(put_test_behaviors(*store, {{"default", "kept"}}).is_ok());
    ASSERT_TRUE(store->sync_wal().is_ok());
    bahed::testing::FileSizeLimit full(1);  // every file already holds more
    ASSERT_TRUE(full.ok());
    const Status compacted = store->compact_vectors();  // flushes the memtable first
    EXPECT_EQ(compacted.code(), StatusCode::kIOError) << compacted.to_string();
    const Status put = put_test_behaviors(*store, {{"default", "lost"}}).status();
    EXPECT_EQ(put.code(), StatusCode::kIOError) << put.to_string();
    EXPECT_NE(put.message().find(dir.path("db")), std::string::npos) << put.message();
    store->close().ignore();  // may fail too; not aborting is the check
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path("db") + "/LOG"));
  auto store = open_or_fail(options, kSpec, clock);
  ASSERT_NE(store, nullptr);
  const auto texts = texts_of(*store, {make_behavior_key(kSpec.version, "default", "kept").behavior});
  EXPECT_TRUE(texts[0].has_value());
  EXPECT_TRUE(store->close().is_ok());
}

// The backfill path: after an encoder change, every history behavior misses
// under the new version, and its text is still there to re-encode it.
TEST(BehaviorStore, TextsOfHistoryBehaviorsSurviveAnEncoderChange) {
  TempDir dir;
  FakeClock clock;
  const StoreOptions options = test_options(dir.path("db"));
  Result<std::vector<BehaviorKey>> keys = std::vector<BehaviorKey>();
  {
    auto store = open_or_fail(options, kSpec, clock);
    ASSERT_NE(store, nullptr);
    keys = put_test_behaviors(*store, {{"default", "Heat (1995)"}, {"default", "Up (2009)"}});
    ASSERT_TRUE(keys.is_ok());
    ASSERT_TRUE(
        store
            ->apply_history(std::vector<HistoryUpdate>{
                update("u1", 0, 1, "Heat (1995)"), update("u2", 0, 2, "Up (2009)"), update("u1", 0, 3, "Up (2009)")})
            .is_ok());
    EXPECT_TRUE(store->close().is_ok());
  }
  const EncoderSpec next{kSpec.version + 1, 4};
  auto store = open_or_fail(options, next, clock);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->open_report().encoder_changed());
  std::vector<Hash128> behaviors;
  ASSERT_TRUE(store
                  ->for_each_history_behavior([&](const Hash128& h) {
                    behaviors.push_back(h);
                    return true;
                  })
                  .is_ok());
  ASSERT_EQ(behaviors.size(), 3u);
  std::vector<BehaviorKey> next_keys;
  for (const Hash128& h : behaviors) next_keys.push_back({next.version, h});
  Result<std::vector<VectorLookup>> vectors = store->multi_get_vectors(next_keys);
  ASSERT_TRUE(vectors.is_ok());
  for (const VectorLookup& v : *vectors) EXPECT_FALSE(v.found);
  for (const std::optional<BehaviorText>& t : texts_of(*store, behaviors)) {
    ASSERT_TRUE(t.has_value());
    EXPECT_TRUE(t->text == "Heat (1995)" || t->text == "Up (2009)") << t->text;
    const Hash128 h = hash_behavior(t->feature, t->text);
    EXPECT_TRUE(h == (*keys)[0].behavior || h == (*keys)[1].behavior);
  }
  EXPECT_TRUE(store->close().is_ok());
}

TEST(BehaviorStore, ForEachHistoryBehaviorVisitsEveryEntryAndStopsWhenAsked) {
  TempDir dir;
  FakeClock clock;
  auto store = open_or_fail(test_options(dir.path("db")), kSpec, clock);  // H = 4
  ASSERT_NE(store, nullptr);
  std::vector<HistoryUpdate> updates;
  for (int64_t i = 0; i < 6; ++i) updates.push_back(update("u1", 0, i));  // the first 2 fall out
  updates.push_back(update("u2", 0, 6, "behavior at 5"));                 // a duplicate behavior
  ASSERT_TRUE(store->apply_history(updates).is_ok());

  std::multiset<Hash128> seen;
  ASSERT_TRUE(store
                  ->for_each_history_behavior([&](const Hash128& h) {
                    seen.insert(h);
                    return true;
                  })
                  .is_ok());
  std::multiset<Hash128> expected;
  for (int64_t i = 2; i < 6; ++i) expected.insert(hash_behavior("default", "behavior at " + std::to_string(i)));
  expected.insert(hash_behavior("default", "behavior at 5"));
  EXPECT_EQ(seen, expected);

  size_t n_calls = 0;
  ASSERT_TRUE(store->for_each_history_behavior([&](const Hash128&) { return ++n_calls < 2; }).is_ok());
  EXPECT_EQ(n_calls, 2u);

  TempDir empty_dir;
  auto empty = open_or_fail(test_options(empty_dir.path("db")), kSpec, clock);
  ASSERT_NE(empty, nullptr);
  EXPECT_TRUE(empty
                  ->for_each_history_behavior([](const Hash128&) -> bool {
                    ADD_FAILURE();
                    return true;
                  })
                  .is_ok());
  EXPECT_TRUE(empty->close().is_ok());
  EXPECT_TRUE(store->close().is_ok());
}

TEST(BehaviorStore, RecordedEncodersNamesTheLastOpenedVersion) {
  TempDir dir;
  FakeClock clock;
  const StoreOptions options = test_options(dir.path("db"));
  EXPECT_FALSE(BehaviorStore::recorded_encoders(options, clock).is_ok());  // no store yet
  const EncoderSpec high{0xFFFF, 8};
  const EncoderSpec low{0x0001, 4};
  for (const EncoderSpec& spec : {high, low}) {
    auto store = open_or_fail(options, spec, clock);
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->close().is_ok());
  }
  Result<RecordedEncoders> recorded = BehaviorStore::recorded_encoders(options, clock);
  ASSERT_TRUE(recorded.is_ok()) << recorded.status().to_string();
  EXPECT_EQ(recorded->last_opened, (EncoderVersionInfo{low.version, low.dimension}));
  EXPECT_EQ(recorded->all,
            (std::vector<EncoderVersionInfo>{{low.version, low.dimension}, {high.version, high.dimension}}));
}

// A store written before the texts family existed: simulated by dropping
// the family. Readers open it without texts; the next writer creates it.
TEST(BehaviorStore, OpensAStoreWrittenBeforeTheTextsFamily) {
  TempDir dir;
  FakeClock clock;
  const StoreOptions options = test_options(dir.path("db"));
  fill(options, clock, two_keys());
  {
    const RocksDbShared shared = make_rocksdb_shared(options);
    const RocksDbConfig config = make_rocksdb_config(options, OpenMode::kReadWrite, clock, nullptr, shared);
    Result<std::unique_ptr<RocksDbHandle>> raw = RocksDbHandle::open(config, options.path, OpenMode::kReadWrite, "");
    ASSERT_TRUE(raw.is_ok()) << raw.status().to_string();
    ASSERT_TRUE((*raw)->db().DropColumnFamily((*raw)->cf(ColumnFamily::kTexts)).ok());
    ASSERT_TRUE((*raw)->close().is_ok());
  }
  const Hash128 behavior = two_keys()[0].behavior;
  {
    Result<std::unique_ptr<BehaviorStore>> reader = BehaviorStore::open_read_only(options, kSpec, clock);
    ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
    expect_filled(**reader, two_keys());
    EXPECT_FALSE(texts_of(**reader, {behavior})[0].has_value());
    EXPECT_EQ((*reader)->stats().n_texts_estimate, 0u);
    EXPECT_TRUE((*reader)->close().is_ok());
    EXPECT_TRUE(BehaviorStore::recorded_encoders(options, clock).is_ok());
  }
  {
    auto writer = open_or_fail(options, kSpec, clock);
    ASSERT_NE(writer, nullptr);
    expect_filled(*writer, two_keys());
    ASSERT_TRUE(put_test_behaviors(*writer, {{"default", "rated 4.5: Heat (1995)"}}).is_ok());
    EXPECT_TRUE(writer->close().is_ok());
  }
  Result<std::unique_ptr<BehaviorStore>> reader = BehaviorStore::open_read_only(options, kSpec, clock);
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
  EXPECT_EQ(texts_of(**reader, {behavior})[0], (BehaviorText{"default", "rated 4.5: Heat (1995)"}));
  EXPECT_TRUE((*reader)->close().is_ok());
}

TEST(BehaviorStore, ReopenKeepsTexts) {
  TempDir dir;
  FakeClock clock;
  const StoreOptions options = test_options(dir.path("db"));
  Result<std::vector<BehaviorKey>> keys = std::vector<BehaviorKey>();
  {
    auto store = open_or_fail(options, kSpec, clock);
    ASSERT_NE(store, nullptr);
    keys = put_test_behaviors(*store, {{"default", "x"}});
    ASSERT_TRUE(keys.is_ok());
    EXPECT_TRUE(store->close().is_ok());
  }
  auto store = open_or_fail(options, kSpec, clock);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(texts_of(*store, {(*keys)[0].behavior})[0], (BehaviorText{"default", "x"}));
  EXPECT_TRUE(store->close().is_ok());
}

}  // namespace
}  // namespace bahed::encoder
