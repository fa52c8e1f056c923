#include "encoder/store/vector_table.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <string>

#include "encoder/store/rocks_status.h"
#include "encoder/store/ttl_compaction_filter.h"
#include "encoder/store/vector_codec.h"

namespace bahed::encoder {

VectorTable::VectorTable(RocksDbHandle& db, StoreWriter& writer, const Clock& clock, StoreCounters& counters,
                         const EncoderSpec& spec, VectorDtype write_dtype, uint64_t hot_cache_entries)
    : db_(db),
      writer_(writer),
      clock_(clock),
      counters_(counters),
      spec_(spec),
      write_dtype_(write_dtype),
      hot_cache_(hot_cache_entries) {}

uint32_t VectorTable::today() const { return epoch_day(clock_.now_ms()); }

Status VectorTable::check_key(const BehaviorKey& key) const {
  if (key.encoder_version != spec_.version) {
    return Status::invalid_argument("vector key " + key.hex() + " is of encoder version " +
                                    std::to_string(key.encoder_version) + ", the store is open for " +
                                    std::to_string(spec_.version));
  }
  return Status::ok();
}

Status VectorTable::put(std::span<const VectorRecord> records) {
  BAHED_RETURN_IF_ERROR(writer_.check_writable("writing vectors"));
  rocksdb::WriteBatch batch;
  BAHED_ASSIGN_OR_RETURN(const std::vector<std::string> values, add_puts(records, batch));
  BAHED_RETURN_IF_ERROR(writer_.write(batch, "writing " + std::to_string(records.size()) + " vectors"));
  on_written(records, values);
  return Status::ok();
}

Result<std::vector<std::string>> VectorTable::add_puts(std::span<const VectorRecord> records,
                                                       rocksdb::WriteBatch& batch) {
  for (const VectorRecord& r : records) {
    BAHED_RETURN_IF_ERROR(check_key(r.key));
    if (r.values.size() != spec_.dimension) {
      return Status::invalid_argument("vector " + r.key.hex() + " has " + std::to_string(r.values.size()) +
                                      " values, the encoder's dimension is " + std::to_string(spec_.dimension));
    }
  }
  const uint32_t day = today();
  std::vector<std::string> values;
  values.reserve(records.size());
  for (const VectorRecord& r : records) {
    values.push_back(encode_vector(r.values, write_dtype_, day));
    BAHED_RETURN_IF_ERROR(
        from_rocksdb(batch.Put(db_.cf(ColumnFamily::kVectors), r.key.encode(), values.back()), "batching a vector"));
  }
  return values;
}

void VectorTable::on_written(std::span<const VectorRecord> records, const std::vector<std::string>& values) {
  counters_.n_vectors_written.fetch_add(records.size(), std::memory_order_relaxed);
  // Cache what a read from RocksDB would return (rounded to the dtype), so
  // a hit and a miss give identical values.
  for (size_t i = 0; i < records.size(); ++i) {
    Result<DecodedVector> decoded = decode_vector(values[i], spec_.dimension, records[i].key.hex());
    if (decoded.is_ok()) hot_cache_.put(records[i].key, std::move(decoded).value());
  }
}

Result<std::vector<VectorLookup>> VectorTable::multi_get(std::span<const BehaviorKey> keys) {
  for (const BehaviorKey& key : keys) BAHED_RETURN_IF_ERROR(check_key(key));
  const uint32_t day = today();
  std::vector<VectorLookup> out(keys.size());
  std::vector<Touch> stale;
  std::vector<size_t> missed;
  for (size_t i = 0; i < keys.size(); ++i) {
    std::optional<DecodedVector> hit = hot_cache_.get(keys[i]);
    if (!hit) {
      missed.push_back(i);
      continue;
    }
    out[i].found = true;
    out[i].values = std::move(hit->values);
    out[i].dtype = hit->dtype;
    if (hit->last_seen_day < day) stale.push_back({i, hit->dtype});
  }
  if (!missed.empty()) BAHED_RETURN_IF_ERROR(read_missed(keys, missed, day, out, stale));
  // Read-only stores, and stores whose writes have failed, serve reads
  // without refreshing; the failure itself is reported by the next write.
  if (!stale.empty() && writer_.check_writable("refreshing vector last-seen days").is_ok()) {
    BAHED_RETURN_IF_ERROR(touch(keys, out, stale, day));
  }
  return out;
}

Status VectorTable::read_missed(std::span<const BehaviorKey> keys, const std::vector<size_t>& missed, uint32_t day,
                                std::vector<VectorLookup>& out, std::vector<Touch>& stale) {
  std::vector<std::string> key_bytes;
  key_bytes.reserve(missed.size());
  std::vector<rocksdb::Slice> slices;
  slices.reserve(missed.size());
  for (const size_t i : missed) {
    key_bytes.push_back(keys[i].encode());
    slices.emplace_back(key_bytes.back());
  }
  std::vector<rocksdb::PinnableSlice> values(missed.size());
  std::vector<rocksdb::Status> statuses(missed.size());
  db_.db().MultiGet(rocksdb::ReadOptions(), db_.cf(ColumnFamily::kVectors), missed.size(), slices.data(), values.data(),
                    statuses.data(), /*sorted_input=*/false);
  for (size_t j = 0; j < missed.size(); ++j) {
    const size_t i = missed[j];
    if (statuses[j].IsNotFound()) {
      counters_.n_vector_lookups_missing.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    if (!statuses[j].ok()) return from_rocksdb(statuses[j], "reading vector " + keys[i].hex());
    BAHED_ASSIGN_OR_RETURN(DecodedVector decoded, decode_vector(std::string_view(values[j].data(), values[j].size()),
                                                                spec_.dimension, keys[i].hex()));
    counters_.n_vector_lookups_found.fetch_add(1, std::memory_order_relaxed);
    out[i].found = true;
    out[i].values = decoded.values;
    out[i].dtype = decoded.dtype;
    if (decoded.last_seen_day < day) stale.push_back({i, decoded.dtype});
    hot_cache_.put(keys[i], std::move(decoded));
  }
  return Status::ok();
}

// At most one rewrite per vector per day, so hot behaviors do not turn reads
// into a write stream. Values are re-encoded from the decoded floats, which
// is exact (a 16-bit value survives float and back unchanged).
Status VectorTable::touch(std::span<const BehaviorKey> keys, const std::vector<VectorLookup>& found,
                          const std::vector<Touch>& stale, uint32_t day) {
  rocksdb::WriteBatch batch;
  for (const Touch& t : stale) {
    const std::string value = encode_vector(found[t.index].values, t.dtype, day);
    BAHED_RETURN_IF_ERROR(
        from_rocksdb(batch.Put(db_.cf(ColumnFamily::kVectors), keys[t.index].encode(), value), "batching a touch"));
  }
  BAHED_RETURN_IF_ERROR(
      writer_.write(batch, "refreshing last-seen days of " + std::to_string(stale.size()) + " vectors"));
  counters_.n_vector_touches.fetch_add(stale.size(), std::memory_order_relaxed);
  for (const Touch& t : stale) hot_cache_.set_last_seen_day(keys[t.index], day);
  return Status::ok();
}

Status VectorTable::compact() {
  BAHED_RETURN_IF_ERROR(writer_.check_writable("compacting vectors"));
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  return from_rocksdb(db_.db().CompactRange(options, db_.cf(ColumnFamily::kVectors), nullptr, nullptr),
                      "compacting vectors");
}

}  // namespace bahed::encoder
