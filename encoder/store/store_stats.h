#pragma once
// StoreStats: a snapshot of the behavior store's counters and sizes, for
// /metrics and the per-checkpoint summary line.
#include <cstdint>

namespace bahed::encoder {

struct StoreStats {
  // RocksDB's estimates (rocksdb.estimate-num-keys); they count overwritten
  // and deleted keys until compaction.
  uint64_t n_vectors_estimate = 0;
  uint64_t n_histories_estimate = 0;
  uint64_t n_texts_estimate = 0;
  // SST files of all column families (rocksdb.total-sst-files-size), and
  // of the three big ones (the rest is meta: a few keys).
  uint64_t size_on_disk_bytes = 0;
  uint64_t vectors_size_on_disk_bytes = 0;
  uint64_t histories_size_on_disk_bytes = 0;
  uint64_t texts_size_on_disk_bytes = 0;
  // Memtables of all column families (not yet flushed to SST files).
  uint64_t memtable_bytes = 0;

  // The in-memory LRU of decoded vectors.
  uint64_t n_hot_cache_entries = 0;
  uint64_t n_hot_cache_hits = 0;
  uint64_t n_hot_cache_misses = 0;
  // Lookups that went to RocksDB (hot cache misses), by outcome.
  uint64_t n_vector_lookups_found = 0;
  uint64_t n_vector_lookups_missing = 0;
  uint64_t n_vectors_written = 0;
  // Last-seen rewrites caused by hits (at most one per vector per day).
  uint64_t n_vector_touches = 0;

  // RocksDB's block cache (data, index and filter blocks).
  uint64_t block_cache_usage_bytes = 0;
  uint64_t n_block_cache_hits = 0;
  uint64_t n_block_cache_misses = 0;
  // Lookups a bloom filter answered "absent" without reading a data block.
  uint64_t n_bloom_filter_useful = 0;

  uint64_t n_history_updates_applied = 0;
  // Updates below their partition's applied-offset watermark (replays).
  uint64_t n_history_updates_skipped = 0;

  // A write failed; the store refuses writes until reopened.
  bool write_failed = false;

  double hot_cache_hit_rate() const { return rate(n_hot_cache_hits, n_hot_cache_misses); }
  double block_cache_hit_rate() const { return rate(n_block_cache_hits, n_block_cache_misses); }

 private:
  static double rate(uint64_t hits, uint64_t misses) {
    const uint64_t total = hits + misses;
    return total == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(total);
  }
};

}  // namespace bahed::encoder
