#pragma once
// RocksDbHandle: owns one open rocksdb::DB and its column family handles.
// close() destroys the handles, then closes the DB, and returns what Close()
// said; the destructor closes too (a backstop that cannot report).
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <array>
#include <memory>
#include <string>

#include "common/result.h"
#include "encoder/store/column_family.h"
#include "encoder/store/open_mode.h"

namespace bahed::encoder {

// Everything RocksDB needs to open the store, built by make_rocksdb_config.
struct RocksDbConfig {
  rocksdb::DBOptions db_options;
  std::array<rocksdb::ColumnFamilyOptions, kNumColumnFamilies> cf_options;
};

class RocksDbHandle {
 public:
  // `secondary_path` is used by kSecondary only (its own info log and
  // metadata directory). kReadWrite creates missing families; the other
  // modes cannot, and open a store that lacks an optional family without it.
  static Result<std::unique_ptr<RocksDbHandle>> open(const RocksDbConfig& config, const std::string& path,
                                                     OpenMode mode, const std::string& secondary_path);
  ~RocksDbHandle();
  RocksDbHandle(const RocksDbHandle&) = delete;
  RocksDbHandle& operator=(const RocksDbHandle&) = delete;

  rocksdb::DB& db() { return *db_; }
  // nullptr only for a family that column_family_may_be_absent() and that a
  // read-only or secondary open did not find.
  rocksdb::ColumnFamilyHandle* cf(ColumnFamily family) { return handles_[static_cast<size_t>(family)]; }
  OpenMode mode() const { return mode_; }

  // Idempotent; after it, db() and cf() must not be used.
  [[nodiscard]] Status close();

 private:
  RocksDbHandle(OpenMode mode) : mode_(mode) {}

  const OpenMode mode_;
  std::unique_ptr<rocksdb::DB> db_;
  std::array<rocksdb::ColumnFamilyHandle*, kNumColumnFamilies> handles_{};  // owned; destroyed in close()
};

}  // namespace bahed::encoder
