#pragma once
// make_rocksdb_config: StoreOptions turned into RocksDB options, tuned for
// point lookups (MultiGet of vectors, Get of histories) that often miss.
#include <rocksdb/cache.h>
#include <rocksdb/env.h>
#include <rocksdb/statistics.h>

#include <cstdint>
#include <memory>

#include "common/clock.h"
#include "encoder/store/rocks_db_handle.h"
#include "encoder/store/store_options.h"

namespace bahed::encoder {

// Shared objects the config points to; the caller keeps them for stats().
struct RocksDbShared {
  std::shared_ptr<rocksdb::Cache> block_cache;
  std::shared_ptr<rocksdb::Statistics> statistics;
};

// `env` nullptr means rocksdb::Env::Default(); tests pass one that injects
// faults. `clock` feeds the TTL compaction filter and must outlive the DB.
RocksDbConfig make_rocksdb_config(const StoreOptions& options, OpenMode mode, const Clock& clock, rocksdb::Env* env,
                                  const RocksDbShared& shared);

RocksDbShared make_rocksdb_shared(const StoreOptions& options);

}  // namespace bahed::encoder
