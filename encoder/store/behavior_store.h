#pragma once
// BehaviorStore: BAHE's cache of atomic-behavior vectors and user histories,
// one RocksDB database with a column family per role (vectors, histories,
// meta, texts). The encoder writes vectors of behaviors it has not seen, with
// their texts, and appends histories; the trainer and the scorer read them.
//
// Contract:
//  - A store object serves one encoder version (EncoderSpec). Vectors are
//    keyed by that version, so a new encoder never reads an old vector;
//    old versions are reported at open and removed by drop_encoder_version.
//  - Texts (feature, normalized text) are keyed by the version-independent
//    behavior hash and have no TTL: histories name behaviors by that hash
//    only, so after an encoder change the texts are what re-encodes them.
//  - Every method that touches RocksDB returns Status/Result. The first
//    failed write makes the store refuse every later write (sticky) until it
//    is closed and reopened, so nothing is published on top of a partial
//    write.
//  - History appends and the applied-offset watermarks they advance are
//    written in one atomic batch; an update below its partition's watermark
//    is skipped, so replaying events after a crash changes nothing.
//  - Thread safety: all methods may be called concurrently, except close()
//    (no call may run during or after it). apply_history calls serialize.
//  - Blocking: every call may block on disk I/O; compact_vectors() and
//    close() may take long.
//  - The Clock passed at open (and the Env, if any) must outlive the store.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "encoder/store/behavior_key.h"
#include "encoder/store/history_entry.h"
#include "encoder/store/open_mode.h"
#include "encoder/store/store_options.h"
#include "encoder/store/store_stats.h"
#include "encoder/store/store_types.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace bahed::encoder {

class RocksDbHandle;
class StoreWriter;
class EncoderVersionRegistry;
class VectorTable;
class HistoryTable;
class TextTable;
struct StoreCounters;
struct RocksDbShared;

class BehaviorStore {
 public:
  // Opens (creating if needed) the store for reading and writing. Records
  // `encoder` as the current version; another version than last time is
  // allowed and described in open_report(). Refused (InvalidArgument): bad
  // options, or `encoder.version` already recorded with another dimension.
  // `env`: nullptr for the default; tests pass a fault-injecting one.
  static Result<std::unique_ptr<BehaviorStore>> open(const StoreOptions& options, const EncoderSpec& encoder,
                                                     const Clock& clock, rocksdb::Env* env = nullptr);
  // A read-only view of an existing store as of now (for the scorer); writes
  // return InvalidArgument and last-seen days are not refreshed. Do not use
  // on a store that a read-write instance has open; use a secondary there.
  static Result<std::unique_ptr<BehaviorStore>> open_read_only(const StoreOptions& options, const EncoderSpec& encoder,
                                                               const Clock& clock, rocksdb::Env* env = nullptr);
  // A read-only follower of a store that a read-write instance has open;
  // try_catch_up() brings in the primary's newer writes. `secondary_path`
  // is a directory of its own (info log, metadata).
  static Result<std::unique_ptr<BehaviorStore>> open_secondary(const StoreOptions& options,
                                                               const std::string& secondary_path,
                                                               const EncoderSpec& encoder, const Clock& clock,
                                                               rocksdb::Env* env = nullptr);

  // What an existing store records about encoder versions, read through a
  // short read-only open that needs no EncoderSpec: for tools (bahectl
  // store) that inspect a store and must pick the spec to open it with.
  // Fails as open_read_only does (no store there, another schema).
  static Result<RecordedEncoders> recorded_encoders(const StoreOptions& options, const Clock& clock,
                                                    rocksdb::Env* env = nullptr);

  ~BehaviorStore();  // closes if close() was not called; cannot report
  BehaviorStore(const BehaviorStore&) = delete;
  BehaviorStore& operator=(const BehaviorStore&) = delete;

  // Closes RocksDB and reports how that went. Idempotent.
  [[nodiscard]] Status close();

  const OpenReport& open_report() const { return report_; }
  const StoreOptions& options() const { return options_; }
  const EncoderSpec& encoder() const { return encoder_; }

  // ---- vectors ----
  // Writes vectors (one WriteBatch) of the store's encoder version, each of
  // the encoder's dimension, in options.vector_dtype, last seen today.
  [[nodiscard]] Status put_vectors(std::span<const VectorRecord> records);
  // put_vectors plus each record's text (see BehaviorRecord), all in one
  // WriteBatch, so no vector is stored without the text that re-encodes it
  // under a later encoder version. An existing text is overwritten (with the
  // same content). InvalidArgument, and nothing is written, if a record's
  // hash is not hash_behavior(feature, normalized_text).
  [[nodiscard]] Status put_behaviors(std::span<const BehaviorRecord> records);
  // One answer per key, in order. Keys must be of the store's version. A
  // stored value whose header disagrees with the encoder's dimension is
  // Corruption naming the key. Hits last seen before today are rewritten
  // with today (at most once a day per vector; not on read-only stores nor
  // after a write failure); a failure of that rewrite is returned, as any
  // write failure, and is sticky.
  Result<std::vector<VectorLookup>> multi_get_vectors(std::span<const BehaviorKey> keys);
  // Removes every vector of `version` (a range delete) and its record in
  // meta. InvalidArgument for the store's own version.
  [[nodiscard]] Status drop_encoder_version(uint64_t version);
  // Every encoder version recorded in meta, ascending.
  Result<std::vector<EncoderVersionInfo>> encoder_versions();
  // A full manual compaction of the vectors family, which applies the TTL
  // (options.ttl_days) as of the clock's today. Normally RocksDB compacts on
  // its own; this is for operators and tests.
  [[nodiscard]] Status compact_vectors();

  // ---- texts ----
  // One answer per behavior hash, in order; nullopt for a behavior whose
  // text was never written (put_vectors alone writes none).
  Result<std::vector<std::optional<BehaviorText>>> multi_get_texts(std::span<const Hash128> behaviors);

  // ---- histories ----
  // See the contract above; also InvalidArgument for a negative partition
  // or offset (and then nothing is written).
  [[nodiscard]] Status apply_history(std::span<const HistoryUpdate> updates);
  // The newest min(max_n, options.history_length) entries of `user`, oldest
  // first; empty for an unknown user.
  Result<std::vector<HistoryEntry>> read_history(std::string_view user, size_t max_n);
  // partition -> next offset to apply (the watermark), for every partition
  // that has ever had an update applied.
  Result<std::map<int32_t, int64_t>> applied_offsets();
  // For backfills: calls fn with the behavior hash of every history entry
  // (the newest options.history_length of each user), user by user in key
  // order, over one snapshot of the store; a behavior appears once per
  // entry naming it. Returning false from fn stops the scan (and the call
  // returns OK). Reads every history: long on a big store; it bypasses the
  // block cache so serving lookups keep their blocks.
  [[nodiscard]] Status for_each_history_behavior(const std::function<bool(const Hash128&)>& fn);

  // ---- durability, followers, stats ----
  // fsyncs the WAL, so everything written survives a machine crash. Call
  // before publishing a checkpoint whose offsets cover recent writes (not
  // needed with options.sync_writes).
  [[nodiscard]] Status sync_wal();
  // Secondary instances only: applies the primary's newer writes.
  [[nodiscard]] Status try_catch_up();
  StoreStats stats();

 private:
  BehaviorStore(const StoreOptions& options, const EncoderSpec& encoder, const Clock& clock);
  static Result<std::unique_ptr<BehaviorStore>> open_mode(const StoreOptions& options, const EncoderSpec& encoder,
                                                          const Clock& clock, rocksdb::Env* env, OpenMode mode,
                                                          const std::string& secondary_path);

  const StoreOptions options_;
  const EncoderSpec encoder_;
  const Clock& clock_;
  OpenReport report_;
  std::unique_ptr<RocksDbShared> shared_;  // block cache, statistics
  std::unique_ptr<StoreCounters> counters_;
  // Declared before the objects that use it, so it is destroyed after them.
  std::unique_ptr<RocksDbHandle> db_;
  std::unique_ptr<StoreWriter> writer_;
  std::unique_ptr<EncoderVersionRegistry> versions_;
  std::unique_ptr<VectorTable> vectors_;
  std::unique_ptr<HistoryTable> histories_;
  std::unique_ptr<TextTable> texts_;
};

}  // namespace bahed::encoder
