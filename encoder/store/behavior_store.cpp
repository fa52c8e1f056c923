#include "encoder/store/behavior_store.h"

#include <rocksdb/db.h>
#include <rocksdb/statistics.h>
#include <rocksdb/write_batch.h>

#include "encoder/store/encoder_version_registry.h"
#include "encoder/store/history_table.h"
#include "encoder/store/rocks_db_handle.h"
#include "encoder/store/rocks_status.h"
#include "encoder/store/rocksdb_config.h"
#include "encoder/store/store_counters.h"
#include "encoder/store/store_writer.h"
#include "encoder/store/text_table.h"
#include "encoder/store/vector_table.h"

namespace bahed::encoder {
namespace {

// A property RocksDB cannot compute reads as 0: stats are best effort. So
// does a family the store does not have (texts, on a read-only open of a
// store written before it existed).
uint64_t int_property(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf, const std::string& name) {
  uint64_t value = 0;
  return cf != nullptr && db.GetIntProperty(cf, name, &value) ? value : 0;
}

}  // namespace

BehaviorStore::BehaviorStore(const StoreOptions& options, const EncoderSpec& encoder, const Clock& clock)
    : options_(options),
      encoder_(encoder),
      clock_(clock),
      shared_(std::make_unique<RocksDbShared>(make_rocksdb_shared(options))),
      counters_(std::make_unique<StoreCounters>()) {}

BehaviorStore::~BehaviorStore() {
  // Backstop for an owner that did not call close(); nothing to report to.
  close().ignore();
}

Result<std::unique_ptr<BehaviorStore>> BehaviorStore::open(const StoreOptions& options, const EncoderSpec& encoder,
                                                           const Clock& clock, rocksdb::Env* env) {
  return open_mode(options, encoder, clock, env, OpenMode::kReadWrite, "");
}

Result<std::unique_ptr<BehaviorStore>> BehaviorStore::open_read_only(const StoreOptions& options,
                                                                     const EncoderSpec& encoder, const Clock& clock,
                                                                     rocksdb::Env* env) {
  return open_mode(options, encoder, clock, env, OpenMode::kReadOnly, "");
}

Result<std::unique_ptr<BehaviorStore>> BehaviorStore::open_secondary(const StoreOptions& options,
                                                                     const std::string& secondary_path,
                                                                     const EncoderSpec& encoder, const Clock& clock,
                                                                     rocksdb::Env* env) {
  if (secondary_path.empty() || secondary_path == options.path) {
    return Status::invalid_argument("a secondary behavior store needs a directory of its own, not store.path");
  }
  return open_mode(options, encoder, clock, env, OpenMode::kSecondary, secondary_path);
}

Result<RecordedEncoders> BehaviorStore::recorded_encoders(const StoreOptions& options, const Clock& clock,
                                                          rocksdb::Env* env) {
  BAHED_RETURN_IF_ERROR(options.validate());
  const RocksDbShared shared = make_rocksdb_shared(options);
  const RocksDbConfig config = make_rocksdb_config(options, OpenMode::kReadOnly, clock, env, shared);
  BAHED_ASSIGN_OR_RETURN(std::unique_ptr<RocksDbHandle> db,
                         RocksDbHandle::open(config, options.path, OpenMode::kReadOnly, ""));
  EncoderVersionRegistry registry(*db);
  const auto read = [&registry]() -> Result<RecordedEncoders> {
    BAHED_RETURN_IF_ERROR(registry.check_schema());
    RecordedEncoders recorded;
    BAHED_ASSIGN_OR_RETURN(recorded.last_opened, registry.last_opened());
    BAHED_ASSIGN_OR_RETURN(recorded.all, registry.list());
    return recorded;
  };
  Result<RecordedEncoders> out = read();
  const Status closed = db->close();
  // A read failure is the news; a close failure on top of it would hide it.
  if (!out.is_ok()) return out.status().with_context("reading encoder versions of behavior store at " + options.path);
  BAHED_RETURN_IF_ERROR(closed);
  return out;
}

Result<std::unique_ptr<BehaviorStore>> BehaviorStore::open_mode(const StoreOptions& options, const EncoderSpec& encoder,
                                                                const Clock& clock, rocksdb::Env* env, OpenMode mode,
                                                                const std::string& secondary_path) {
  BAHED_RETURN_IF_ERROR(options.validate());
  BAHED_RETURN_IF_ERROR(encoder.validate());
  std::unique_ptr<BehaviorStore> store(new BehaviorStore(options, encoder, clock));
  const RocksDbConfig config = make_rocksdb_config(options, mode, clock, env, *store->shared_);
  BAHED_ASSIGN_OR_RETURN(store->db_, RocksDbHandle::open(config, options.path, mode, secondary_path));
  store->writer_ = std::make_unique<StoreWriter>(*store->db_, options.sync_writes);
  store->versions_ = std::make_unique<EncoderVersionRegistry>(*store->db_);

  rocksdb::WriteBatch batch;
  Result<OpenReport> report = store->versions_->check_open(encoder, mode == OpenMode::kReadWrite, batch);
  if (!report.is_ok()) {
    // The refusal is what the caller needs; a close failure on top of it
    // would only hide it.
    store->close().ignore();
    return report.status().with_context("opening behavior store at " + options.path);
  }
  store->report_ = std::move(report).value();
  if (mode == OpenMode::kReadWrite) {
    const Status recorded = store->writer_->write(batch, "recording the encoder version");
    if (!recorded.is_ok()) {
      store->close().ignore();  // as above: the write failure is the news
      return recorded.with_context("opening behavior store at " + options.path);
    }
  }
  store->vectors_ = std::make_unique<VectorTable>(*store->db_, *store->writer_, clock, *store->counters_, encoder,
                                                  options.vector_dtype, options.hot_cache_entries);
  store->histories_ =
      std::make_unique<HistoryTable>(*store->db_, *store->writer_, *store->counters_, options.history_length);
  store->texts_ = std::make_unique<TextTable>(*store->db_);
  return store;
}

Status BehaviorStore::close() { return db_ ? db_->close() : Status::ok(); }

Status BehaviorStore::put_vectors(std::span<const VectorRecord> records) { return vectors_->put(records); }

Status BehaviorStore::put_behaviors(std::span<const BehaviorRecord> records) {
  BAHED_RETURN_IF_ERROR(writer_->check_writable("writing behaviors"));
  std::vector<VectorRecord> vectors;
  vectors.reserve(records.size());
  for (const BehaviorRecord& r : records) vectors.push_back({r.key, r.values});
  rocksdb::WriteBatch batch;
  BAHED_ASSIGN_OR_RETURN(const std::vector<std::string> values, vectors_->add_puts(vectors, batch));
  BAHED_RETURN_IF_ERROR(texts_->add_puts(records, batch));
  BAHED_RETURN_IF_ERROR(writer_->write(batch, "writing " + std::to_string(records.size()) + " behaviors"));
  vectors_->on_written(vectors, values);
  return Status::ok();
}

Result<std::vector<std::optional<BehaviorText>>> BehaviorStore::multi_get_texts(std::span<const Hash128> behaviors) {
  return texts_->multi_get(behaviors);
}

Result<std::vector<VectorLookup>> BehaviorStore::multi_get_vectors(std::span<const BehaviorKey> keys) {
  return vectors_->multi_get(keys);
}

Status BehaviorStore::drop_encoder_version(uint64_t version) {
  BAHED_RETURN_IF_ERROR(writer_->check_writable("dropping an encoder version"));
  if (version == encoder_.version) {
    return Status::invalid_argument("cannot drop encoder version " + std::to_string(version) +
                                    ": the store is open for it");
  }
  rocksdb::WriteBatch batch;
  BAHED_RETURN_IF_ERROR(versions_->add_drop(version, batch));
  return writer_->write(batch, "dropping encoder version " + std::to_string(version));
}

Result<std::vector<EncoderVersionInfo>> BehaviorStore::encoder_versions() { return versions_->list(); }

Status BehaviorStore::compact_vectors() { return vectors_->compact(); }

Status BehaviorStore::apply_history(std::span<const HistoryUpdate> updates) { return histories_->apply(updates); }

Result<std::vector<HistoryEntry>> BehaviorStore::read_history(std::string_view user, size_t max_n) {
  return histories_->read(user, max_n);
}

Result<std::map<int32_t, int64_t>> BehaviorStore::applied_offsets() { return histories_->applied_offsets(); }

Status BehaviorStore::for_each_history_behavior(const std::function<bool(const Hash128&)>& fn) {
  return histories_->for_each_behavior(fn);
}

Status BehaviorStore::sync_wal() { return writer_->sync_wal(); }

Status BehaviorStore::try_catch_up() {
  if (db_->mode() != OpenMode::kSecondary) {
    return Status::invalid_argument("try_catch_up: the behavior store is not a secondary instance");
  }
  return from_rocksdb(db_->db().TryCatchUpWithPrimary(), "catching up with the primary behavior store");
}

StoreStats BehaviorStore::stats() {
  StoreStats s;
  rocksdb::DB& db = db_->db();
  const auto n_keys = [&](ColumnFamily cf) {
    return int_property(db, db_->cf(cf), rocksdb::DB::Properties::kEstimateNumKeys);
  };
  const auto sst_bytes = [&](ColumnFamily cf) {
    return int_property(db, db_->cf(cf), rocksdb::DB::Properties::kTotalSstFilesSize);
  };
  s.n_vectors_estimate = n_keys(ColumnFamily::kVectors);
  s.n_histories_estimate = n_keys(ColumnFamily::kHistories);
  s.n_texts_estimate = n_keys(ColumnFamily::kTexts);
  s.vectors_size_on_disk_bytes = sst_bytes(ColumnFamily::kVectors);
  s.histories_size_on_disk_bytes = sst_bytes(ColumnFamily::kHistories);
  s.texts_size_on_disk_bytes = sst_bytes(ColumnFamily::kTexts);
  for (size_t i = 0; i < kNumColumnFamilies; ++i) {
    s.size_on_disk_bytes += sst_bytes(static_cast<ColumnFamily>(i));
    s.memtable_bytes +=
        int_property(db, db_->cf(static_cast<ColumnFamily>(i)), rocksdb::DB::Properties::kCurSizeAllMemTables);
  }
  HotVectorCache& hot = vectors_->hot_cache();
  s.n_hot_cache_entries = hot.size();
  s.n_hot_cache_hits = hot.hits();
  s.n_hot_cache_misses = hot.misses();
  s.n_vector_lookups_found = counters_->n_vector_lookups_found.load(std::memory_order_relaxed);
  s.n_vector_lookups_missing = counters_->n_vector_lookups_missing.load(std::memory_order_relaxed);
  s.n_vectors_written = counters_->n_vectors_written.load(std::memory_order_relaxed);
  s.n_vector_touches = counters_->n_vector_touches.load(std::memory_order_relaxed);
  s.block_cache_usage_bytes = shared_->block_cache->GetUsage();
  s.n_block_cache_hits = shared_->statistics->getTickerCount(rocksdb::BLOCK_CACHE_HIT);
  s.n_block_cache_misses = shared_->statistics->getTickerCount(rocksdb::BLOCK_CACHE_MISS);
  s.n_bloom_filter_useful = shared_->statistics->getTickerCount(rocksdb::BLOOM_FILTER_USEFUL);
  s.n_history_updates_applied = counters_->n_history_updates_applied.load(std::memory_order_relaxed);
  s.n_history_updates_skipped = counters_->n_history_updates_skipped.load(std::memory_order_relaxed);
  s.write_failed = writer_->failed();
  return s;
}

}  // namespace bahed::encoder
