#pragma once
// StoreOptions: where the behavior store lives and how RocksDB is tuned.
// YAML keys under `store.` use the same spelling (`store.block_cache_bytes`).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace bahed::encoder {

// How vectors are stored. The enumerator value is the dtype byte written in
// each value's header, so it is a file format: never renumber.
enum class VectorDtype : uint8_t {
  kFp16 = 1,  // "fp16": IEEE binary16; 10-bit mantissa, overflows above 65504
  kBf16 = 2,  // "bf16": bfloat16; 7-bit mantissa, float32's range
};
std::string_view vector_dtype_name(VectorDtype dtype);
std::optional<VectorDtype> parse_vector_dtype(std::string_view name);

// Block compression of the vectors, histories and texts column families.
enum class BlockCompression {
  kNone,  // "none"
  kLz4,   // "lz4": cheap to decompress on every block-cache miss
  kZstd,  // "zstd": smaller files, more CPU per miss
};
std::string_view block_compression_name(BlockCompression compression);
std::optional<BlockCompression> parse_block_compression(std::string_view name);

// The largest history_length: histories are rewritten whole on append, and
// this bounds one value to ~2.4 MB. Readers that must see whole histories
// whatever H the writer used (bahectl store) open with it.
constexpr uint32_t kMaxHistoryLength = 1u << 16;

struct StoreOptions {
  // Directory of the RocksDB database. Default: "" (required).
  std::string path;
  // RocksDB block cache shared by all column families (data, index and
  // filter blocks). Bigger keeps more of the store in memory; it is the
  // main memory cost of the store. Default: 268435456 (256 MiB).
  uint64_t block_cache_bytes = 256ull << 20;
  // Decoded vectors kept in an LRU in front of RocksDB; a hit skips RocksDB
  // and the fp16/bf16 decode. Each entry costs about 4 bytes per dimension.
  // 0 disables it. Default: 100000.
  uint64_t hot_cache_entries = 100'000;
  // Dtype new vectors are written in. Reads decode whatever dtype a value
  // records, so changing it needs no migration. Default: kBf16 ("bf16").
  VectorDtype vector_dtype = VectorDtype::kBf16;
  // H: entries kept per user history, newest last; older ones are dropped
  // on the next append. Each entry costs 36 bytes. Default: 256.
  uint32_t history_length = 256;
  // Vectors not looked up for more than this many days are dropped at
  // compaction (and re-encoded if they come back). 0 keeps them forever.
  // Default: 0.
  uint32_t ttl_days = 0;
  // Bloom filter bits per key (whole-key filters) on vectors and histories;
  // 10 gives about 1% false positives. Lookups of unseen behaviors are
  // common, so filters are kept on every level. 0 disables them. Default: 10.
  uint32_t bloom_bits_per_key = 10;
  // fsync the WAL on every write (RocksDB WriteOptions::sync). Without it a
  // process crash loses nothing but a machine crash can lose the last
  // writes; sync_wal() before a checkpoint publishes covers that case more
  // cheaply. Default: false.
  bool sync_writes = false;
  // Memtable size per column family before a flush. Default: 67108864 (64 MiB).
  uint64_t write_buffer_bytes = 64ull << 20;
  // Background flush and compaction threads. Default: 2.
  uint32_t max_background_jobs = 2;
  // Block compression. fp16/bf16 vectors compress little; histories and
  // texts more.
  // Default: kLz4 ("lz4").
  BlockCompression compression = BlockCompression::kLz4;

  Status validate() const;
};

}  // namespace bahed::encoder
