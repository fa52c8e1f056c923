#pragma once
// HistoryTable: per-user histories (last H entries) in `histories`, and the
// per-partition applied-offset watermarks in `meta` that make re-applying a
// replayed event a no-op. Both change in one WriteBatch.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "encoder/store/history_entry.h"
#include "encoder/store/rocks_db_handle.h"
#include "encoder/store/store_counters.h"
#include "encoder/store/store_writer.h"

namespace bahed::encoder {

class HistoryTable {
 public:
  // References must outlive the table.
  HistoryTable(RocksDbHandle& db, StoreWriter& writer, StoreCounters& counters, uint32_t history_length);

  // Appends, in order, every update at or above its partition's watermark,
  // trims each touched history to the last H entries, and advances each
  // partition's watermark past the highest offset applied; all in one
  // WriteBatch. Updates below the watermark (including ones made so by an
  // earlier update of the same call) are skipped and counted. Calls are
  // serialized (read-modify-write).
  [[nodiscard]] Status apply(std::span<const HistoryUpdate> updates);
  // The last min(max_n, H) entries of `user`, oldest first; empty if none.
  Result<std::vector<HistoryEntry>> read(std::string_view user, size_t max_n);
  // partition -> next offset to apply, for every partition ever applied.
  Result<std::map<int32_t, int64_t>> applied_offsets();
  // Calls fn(entry.behavior) for the last H entries of every history, in
  // key (user hash) order, oldest first within a user, over one snapshot;
  // duplicates included. Stops early, returning OK, when fn returns false.
  // Reads the whole family without filling the block cache.
  [[nodiscard]] Status for_each_behavior(const std::function<bool(const Hash128&)>& fn);

 private:
  Result<std::map<int32_t, int64_t>> read_watermarks(std::span<const HistoryUpdate> updates);

  RocksDbHandle& db_;
  StoreWriter& writer_;
  StoreCounters& counters_;
  const uint32_t history_length_;
  std::mutex apply_mu_;  // serializes apply(): it reads what it rewrites
};

}  // namespace bahed::encoder
