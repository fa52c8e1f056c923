#pragma once
// EncoderVersionRegistry: the encoder versions recorded in `meta`, checked
// and recorded when the store opens, and dropped on request.
#include <rocksdb/write_batch.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "encoder/store/rocks_db_handle.h"
#include "encoder/store/store_types.h"

namespace bahed::encoder {

class EncoderVersionRegistry {
 public:
  // `db` must outlive the registry.
  explicit EncoderVersionRegistry(RocksDbHandle& db) : db_(db) {}

  // Reads `meta` and decides whether `spec` may open this store:
  //  - a schema other than kStoreSchemaVersion is refused (InvalidArgument);
  //  - a version recorded with another dimension is refused
  //    (InvalidArgument, explaining that a dimension change needs a new
  //    encoder version);
  //  - anything else is allowed and described in the report.
  // When `record` is true (read-write opens), adds to `batch` the writes
  // that make `spec` the current version.
  Result<OpenReport> check_open(const EncoderSpec& spec, bool record, rocksdb::WriteBatch& batch);

  // Every recorded version, ascending.
  Result<std::vector<EncoderVersionInfo>> list();
  // The schema check of check_open, alone; OK for a store with no record.
  [[nodiscard]] Status check_schema();
  // The version of the last read-write open; nullopt if there was none.
  Result<std::optional<EncoderVersionInfo>> last_opened();

  // Adds to `batch` the removal of every vector of `version` (one range
  // tombstone) and of its record.
  [[nodiscard]] Status add_drop(uint64_t version, rocksdb::WriteBatch& batch);

 private:
  Result<std::optional<std::string>> get_meta(const std::string& key);

  RocksDbHandle& db_;
};

}  // namespace bahed::encoder
