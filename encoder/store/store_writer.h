#pragma once
// StoreWriter: the only path from the store to RocksDB writes. The first
// failed write (or WAL sync) is sticky: every later write returns it, until
// the store is reopened. After a failure RocksDB's state, the memtable in
// particular, may not match what callers believe was written; refusing
// further writes keeps later batches (and the watermarks they carry) from
// being published on top of a partial state. Thread-safe.
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <mutex>
#include <string_view>

#include "common/status.h"
#include "encoder/store/rocks_db_handle.h"

namespace bahed::encoder {

class StoreWriter {
 public:
  // `db` must outlive the writer.
  StoreWriter(RocksDbHandle& db, bool sync_writes);

  // Applies `batch` atomically (WriteOptions::sync as configured).
  [[nodiscard]] Status write(rocksdb::WriteBatch& batch, std::string_view operation);
  // fsyncs the WAL: everything written so far survives a machine crash.
  [[nodiscard]] Status sync_wal();
  // OK if a write may be attempted: the store is read-write and no write
  // has failed; otherwise why not.
  [[nodiscard]] Status check_writable(std::string_view operation) const;
  bool failed() const;

 private:
  [[nodiscard]] Status record(Status s);

  RocksDbHandle& db_;
  rocksdb::WriteOptions write_options_;
  mutable std::mutex mu_;
  Status failure_;  // guarded by mu_; the first write failure, sticky
};

}  // namespace bahed::encoder
