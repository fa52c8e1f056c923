#include "encoder/store/text_table.h"

#include <rocksdb/db.h>

#include <string>

#include "encoder/store/rocks_status.h"
#include "encoder/store/text_codec.h"

namespace bahed::encoder {

Status TextTable::add_puts(std::span<const BehaviorRecord> records, rocksdb::WriteBatch& batch) {
  for (const BehaviorRecord& r : records) {
    if (hash_behavior(r.feature, r.normalized_text) != r.key.behavior) {
      return Status::invalid_argument("behavior " + r.key.behavior.hex() + " is not the hash of its feature '" +
                                      std::string(r.feature) +
                                      "' and text (is the text normalized with normalize_behavior_text?)");
    }
  }
  rocksdb::ColumnFamilyHandle* cf = db_.cf(ColumnFamily::kTexts);
  for (const BehaviorRecord& r : records) {
    BAHED_RETURN_IF_ERROR(from_rocksdb(
        batch.Put(cf, r.key.behavior.bytes(), encode_behavior_text(r.feature, r.normalized_text)), "batching a text"));
  }
  return Status::ok();
}

Result<std::vector<std::optional<BehaviorText>>> TextTable::multi_get(std::span<const Hash128> behaviors) {
  const size_t n = behaviors.size();
  std::vector<std::optional<BehaviorText>> out(n);
  rocksdb::ColumnFamilyHandle* cf = db_.cf(ColumnFamily::kTexts);
  if (n == 0 || cf == nullptr) return out;
  std::vector<std::string> key_bytes;
  key_bytes.reserve(n);
  std::vector<rocksdb::Slice> keys;
  keys.reserve(n);
  for (const Hash128& h : behaviors) {
    key_bytes.push_back(h.bytes());
    keys.emplace_back(key_bytes.back());
  }
  std::vector<rocksdb::PinnableSlice> values(n);
  std::vector<rocksdb::Status> statuses(n);
  db_.db().MultiGet(rocksdb::ReadOptions(), cf, n, keys.data(), values.data(), statuses.data(),
                    /*sorted_input=*/false);
  for (size_t i = 0; i < n; ++i) {
    if (statuses[i].IsNotFound()) continue;
    const std::string key_hex = behaviors[i].hex();
    if (!statuses[i].ok()) return from_rocksdb(statuses[i], "reading text " + key_hex);
    BAHED_ASSIGN_OR_RETURN(BehaviorText text,
                           decode_behavior_text(std::string_view(values[i].data(), values[i].size()), key_hex));
    out[i] = std::move(text);
  }
  return out;
}

}  // namespace bahed::encoder
