#pragma once
// VectorTable: behavior vectors of one encoder version in the `vectors`
// family, behind the hot LRU. Thread-safe: reads run concurrently; writes go
// through StoreWriter, which RocksDB serializes.
#include <rocksdb/write_batch.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "encoder/store/hot_vector_cache.h"
#include "encoder/store/rocks_db_handle.h"
#include "encoder/store/store_counters.h"
#include "encoder/store/store_options.h"
#include "encoder/store/store_types.h"
#include "encoder/store/store_writer.h"

namespace bahed::encoder {

class VectorTable {
 public:
  // References must outlive the table.
  VectorTable(RocksDbHandle& db, StoreWriter& writer, const Clock& clock, StoreCounters& counters,
              const EncoderSpec& spec, VectorDtype write_dtype, uint64_t hot_cache_entries);

  // One WriteBatch; the vectors enter the hot cache once written.
  [[nodiscard]] Status put(std::span<const VectorRecord> records);
  // put() in two halves, for a caller that writes the vectors in a batch of
  // its own (put_behaviors): add_puts checks the records and adds one Put
  // per vector to `batch`, returning the encoded values (nothing is added
  // if a record is refused); after the batch is written, on_written counts
  // and caches the vectors.
  Result<std::vector<std::string>> add_puts(std::span<const VectorRecord> records, rocksdb::WriteBatch& batch);
  void on_written(std::span<const VectorRecord> records, const std::vector<std::string>& values);
  // Hot cache first, then one RocksDB MultiGet for the rest. A hit whose
  // last-seen day is before today is rewritten with today (one batch per
  // call; skipped on read-only stores and once writes have failed).
  Result<std::vector<VectorLookup>> multi_get(std::span<const BehaviorKey> keys);
  // Forces a full compaction of the family: the TTL filter sees every value.
  [[nodiscard]] Status compact();

  HotVectorCache& hot_cache() { return hot_cache_; }

 private:
  // A hit to rewrite with today's last-seen day, in the dtype it is stored in.
  struct Touch {
    size_t index;
    VectorDtype dtype;
  };

  [[nodiscard]] Status check_key(const BehaviorKey& key) const;
  uint32_t today() const;
  // One MultiGet for keys[missed[...]]: fills `out`, caches what it finds,
  // and adds hits last seen before `day` to `stale`.
  [[nodiscard]] Status read_missed(std::span<const BehaviorKey> keys, const std::vector<size_t>& missed, uint32_t day,
                                   std::vector<VectorLookup>& out, std::vector<Touch>& stale);
  // Rewrites `stale` hits with last-seen `day` in one batch.
  [[nodiscard]] Status touch(std::span<const BehaviorKey> keys, const std::vector<VectorLookup>& found,
                             const std::vector<Touch>& stale, uint32_t day);

  RocksDbHandle& db_;
  StoreWriter& writer_;
  const Clock& clock_;
  StoreCounters& counters_;
  const EncoderSpec spec_;
  const VectorDtype write_dtype_;
  HotVectorCache hot_cache_;
};

}  // namespace bahed::encoder
