#include "encoder/store/rocksdb_config.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include "encoder/store/rocks_info_logger.h"
#include "encoder/store/ttl_compaction_filter.h"

namespace bahed::encoder {
namespace {

constexpr uint64_t kSecondsPerDay = 86'400;
// Memtable bloom size as a fraction of write_buffer_bytes: skips memtable
// searches for keys that are absent, the common case for new behaviors.
constexpr double kMemtableBloomRatio = 0.02;

rocksdb::CompressionType to_rocksdb(BlockCompression compression) {
  switch (compression) {
    case BlockCompression::kNone: return rocksdb::kNoCompression;
    case BlockCompression::kLz4: return rocksdb::kLZ4Compression;
    case BlockCompression::kZstd: return rocksdb::kZSTD;
  }
  return rocksdb::kNoCompression;
}

rocksdb::BlockBasedTableOptions table_options(const StoreOptions& options, const RocksDbShared& shared,
                                              bool with_filter) {
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = shared.block_cache;
  // Index and filter blocks compete for the same budget as data blocks, so
  // block_cache_bytes bounds the store's memory; L0's stay pinned since
  // every lookup consults them.
  t.cache_index_and_filter_blocks = true;
  t.pin_l0_filter_and_index_blocks_in_cache = true;
  // A hash index inside data blocks makes a point lookup one probe instead
  // of a binary search.
  t.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  if (with_filter && options.bloom_bits_per_key > 0) {
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(static_cast<double>(options.bloom_bits_per_key)));
    t.whole_key_filtering = true;
  }
  return t;
}

// Vectors, histories and texts: point-lookup families.
rocksdb::ColumnFamilyOptions lookup_family(const StoreOptions& options, const RocksDbShared& shared) {
  rocksdb::ColumnFamilyOptions cf;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options(options, shared, /*with_filter=*/true)));
  cf.compaction_style = rocksdb::kCompactionStyleLevel;
  cf.level_compaction_dynamic_level_bytes = true;
  cf.compression = to_rocksdb(options.compression);
  cf.write_buffer_size = options.write_buffer_bytes;
  // Not optimize_filters_for_hits: it drops the last level's filters, which
  // pays only when lookups mostly hit; "is this behavior new?" often misses.
  cf.optimize_filters_for_hits = false;
  cf.memtable_prefix_bloom_size_ratio = kMemtableBloomRatio;
  cf.memtable_whole_key_filtering = true;
  return cf;
}

}  // namespace

RocksDbShared make_rocksdb_shared(const StoreOptions& options) {
  RocksDbShared shared;
  shared.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  shared.statistics = rocksdb::CreateDBStatistics();
  // Tickers only: histograms and timers cost a clock read per operation.
  shared.statistics->set_stats_level(rocksdb::StatsLevel::kExceptHistogramOrTimers);
  return shared;
}

RocksDbConfig make_rocksdb_config(const StoreOptions& options, OpenMode mode, const Clock& clock, rocksdb::Env* env,
                                  const RocksDbShared& shared) {
  RocksDbConfig config;
  rocksdb::DBOptions& db = config.db_options;
  db.create_if_missing = mode == OpenMode::kReadWrite;
  db.create_missing_column_families = mode == OpenMode::kReadWrite;
  db.max_background_jobs = static_cast<int>(options.max_background_jobs);
  db.statistics = shared.statistics;
  // No LOG file in the store: RocksDB's own writer of it aborts the process
  // after a failed write (rocks_info_logger.h).
  db.info_log = std::make_shared<RocksInfoLogger>(make_logger("rocksdb"));
  db.max_open_files = -1;  // required by secondary instances; keeps table readers open
  if (env != nullptr) db.env = env;

  rocksdb::ColumnFamilyOptions vectors = lookup_family(options, shared);
  if (options.ttl_days > 0 && mode == OpenMode::kReadWrite) {
    vectors.compaction_filter_factory = std::make_shared<TtlCompactionFilterFactory>(clock, options.ttl_days);
    // Files that no write pushes into a compaction are still rewritten once
    // per TTL period, so an expired vector lives at most about 2 * ttl_days.
    vectors.periodic_compaction_seconds = static_cast<uint64_t>(options.ttl_days) * kSecondsPerDay;
  }
  rocksdb::ColumnFamilyOptions meta;
  meta.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options(options, shared, /*with_filter=*/false)));

  config.cf_options[static_cast<size_t>(ColumnFamily::kDefault)] = rocksdb::ColumnFamilyOptions();
  config.cf_options[static_cast<size_t>(ColumnFamily::kVectors)] = vectors;
  config.cf_options[static_cast<size_t>(ColumnFamily::kHistories)] = lookup_family(options, shared);
  config.cf_options[static_cast<size_t>(ColumnFamily::kMeta)] = meta;
  // Texts never expire (no compaction filter): they are what re-encodes a
  // history's behaviors after an encoder change, long after their vectors'
  // TTL; they are small and compress well.
  config.cf_options[static_cast<size_t>(ColumnFamily::kTexts)] = lookup_family(options, shared);
  return config;
}

}  // namespace bahed::encoder
