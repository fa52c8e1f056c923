#pragma once
// TextTable: each behavior's (feature, normalized text) in the `texts`
// family, keyed by the version-independent behavior hash. Histories store
// only that hash; after an encoder change the new version's vectors are
// re-encoded from these texts (lazily by the encoder stage, ahead of time by
// `bahectl encode --backfill`). Texts have no TTL: they outlive the vectors
// they were encoded into. Thread-safe: reads run concurrently; writes go
// into the caller's batch.
#include <rocksdb/write_batch.h>

#include <optional>
#include <span>
#include <vector>

#include "common/result.h"
#include "encoder/store/behavior_key.h"
#include "encoder/store/rocks_db_handle.h"
#include "encoder/store/store_types.h"

namespace bahed::encoder {

class TextTable {
 public:
  // `db` must outlive the table.
  explicit TextTable(RocksDbHandle& db) : db_(db) {}

  // Adds one Put per record to `batch` (an existing text is overwritten: it
  // is the same). InvalidArgument, and nothing is added for any record, if a
  // record's key.behavior is not hash_behavior(feature, normalized_text):
  // the text must be the one its hash (and its vector) names.
  [[nodiscard]] Status add_puts(std::span<const BehaviorRecord> records, rocksdb::WriteBatch& batch);
  // One answer per hash, in order (one MultiGet); nullopt when unknown. A
  // store opened read-only before any read-write open created the family
  // knows no text.
  Result<std::vector<std::optional<BehaviorText>>> multi_get(std::span<const Hash128> behaviors);

 private:
  RocksDbHandle& db_;
};

}  // namespace bahed::encoder
