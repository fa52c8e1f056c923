#include "encoder/store/history_table.h"

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <memory>
#include <string>
#include <unordered_map>

#include "encoder/store/big_endian.h"
#include "encoder/store/history_codec.h"
#include "encoder/store/meta_keys.h"
#include "encoder/store/rocks_status.h"

namespace bahed::encoder {
namespace {

// One user touched by an apply() call.
struct PendingHistory {
  std::string key;  // hash_user_id bytes
  std::vector<HistoryEntry> entries;
  bool appended = false;
};

// The users of one apply() call, in order of first appearance, with their
// stored histories.
struct UserBatch {
  std::vector<PendingHistory> users;
  std::vector<size_t> update_user;  // updates[i] belongs to users[update_user[i]]
};

Result<UserBatch> load_histories(RocksDbHandle& db, std::span<const HistoryUpdate> updates) {
  UserBatch out;
  std::unordered_map<Hash128, size_t, Hash128Hasher> user_index;
  out.update_user.resize(updates.size());
  for (size_t i = 0; i < updates.size(); ++i) {
    const Hash128 h = hash_user_id(updates[i].user);
    const auto [it, inserted] = user_index.emplace(h, out.users.size());
    if (inserted) out.users.push_back({h.bytes(), {}, false});
    out.update_user[i] = it->second;
  }
  const size_t n = out.users.size();
  std::vector<rocksdb::Slice> keys;
  keys.reserve(n);
  for (const PendingHistory& p : out.users) keys.emplace_back(p.key);
  std::vector<rocksdb::PinnableSlice> values(n);
  std::vector<rocksdb::Status> statuses(n);
  db.db().MultiGet(rocksdb::ReadOptions(), db.cf(ColumnFamily::kHistories), n, keys.data(), values.data(),
                   statuses.data(), /*sorted_input=*/false);
  for (size_t j = 0; j < n; ++j) {
    if (statuses[j].IsNotFound()) continue;
    const std::string key_hex = to_hex(out.users[j].key);
    if (!statuses[j].ok()) return from_rocksdb(statuses[j], "reading history " + key_hex);
    BAHED_ASSIGN_OR_RETURN(out.users[j].entries,
                           decode_history(std::string_view(values[j].data(), values[j].size()), key_hex));
  }
  return out;
}

Status check_update(const HistoryUpdate& u) {
  if (u.entry.partition < 0 || u.entry.offset < 0) {
    return Status::invalid_argument("history update for partition " + std::to_string(u.entry.partition) + " offset " +
                                    std::to_string(u.entry.offset) + ": both must be >= 0");
  }
  return Status::ok();
}

}  // namespace

HistoryTable::HistoryTable(RocksDbHandle& db, StoreWriter& writer, StoreCounters& counters, uint32_t history_length)
    : db_(db), writer_(writer), counters_(counters), history_length_(history_length) {}

Result<std::map<int32_t, int64_t>> HistoryTable::read_watermarks(std::span<const HistoryUpdate> updates) {
  std::map<int32_t, int64_t> watermarks;  // absent from meta: nothing applied yet
  for (const HistoryUpdate& u : updates) watermarks.emplace(u.entry.partition, 0);
  for (auto& [partition, next] : watermarks) {
    std::string value;
    const rocksdb::Status s =
        db_.db().Get(rocksdb::ReadOptions(), db_.cf(ColumnFamily::kMeta), offset_key(partition), &value);
    if (s.IsNotFound()) continue;
    if (!s.ok()) return from_rocksdb(s, "reading the watermark of partition " + std::to_string(partition));
    if (value.size() != 8) {
      return Status::corruption("watermark of partition " + std::to_string(partition) + " has " +
                                std::to_string(value.size()) + " bytes");
    }
    next = static_cast<int64_t>(get_u64_be(value.data()));
  }
  return watermarks;
}

Status HistoryTable::apply(std::span<const HistoryUpdate> updates) {
  std::lock_guard lock(apply_mu_);
  BAHED_RETURN_IF_ERROR(writer_.check_writable("applying history updates"));
  if (updates.empty()) return Status::ok();
  for (const HistoryUpdate& u : updates) BAHED_RETURN_IF_ERROR(check_update(u));
  using Watermarks = std::map<int32_t, int64_t>;
  BAHED_ASSIGN_OR_RETURN(const Watermarks stored, read_watermarks(updates));
  Watermarks next = stored;

  BAHED_ASSIGN_OR_RETURN(UserBatch batch_users, load_histories(db_, updates));
  std::vector<PendingHistory>& users = batch_users.users;

  uint64_t n_skipped = 0;
  for (size_t i = 0; i < updates.size(); ++i) {
    const HistoryEntry& e = updates[i].entry;
    int64_t& watermark = next[e.partition];
    if (e.offset < watermark) {  // already applied: a replay
      ++n_skipped;
      continue;
    }
    watermark = e.offset + 1;
    users[batch_users.update_user[i]].entries.push_back(e);
    users[batch_users.update_user[i]].appended = true;
  }

  rocksdb::WriteBatch batch;
  for (PendingHistory& p : users) {
    if (!p.appended) continue;
    if (p.entries.size() > history_length_) {
      p.entries.erase(p.entries.begin(), p.entries.end() - history_length_);
    }
    BAHED_RETURN_IF_ERROR(from_rocksdb(batch.Put(db_.cf(ColumnFamily::kHistories), p.key, encode_history(p.entries)),
                                       "batching a history"));
  }
  for (const auto& [partition, offset] : next) {
    if (offset == stored.at(partition)) continue;
    std::string value;
    put_u64_be(value, static_cast<uint64_t>(offset));
    BAHED_RETURN_IF_ERROR(
        from_rocksdb(batch.Put(db_.cf(ColumnFamily::kMeta), offset_key(partition), value), "batching a watermark"));
  }
  if (batch.Count() > 0) {
    BAHED_RETURN_IF_ERROR(writer_.write(batch, "applying " + std::to_string(updates.size()) + " history updates"));
  }
  counters_.n_history_updates_applied.fetch_add(updates.size() - n_skipped, std::memory_order_relaxed);
  counters_.n_history_updates_skipped.fetch_add(n_skipped, std::memory_order_relaxed);
  return Status::ok();
}

Result<std::vector<HistoryEntry>> HistoryTable::read(std::string_view user, size_t max_n) {
  const std::string key = hash_user_id(user).bytes();
  rocksdb::PinnableSlice value;
  const rocksdb::Status s = db_.db().Get(rocksdb::ReadOptions(), db_.cf(ColumnFamily::kHistories), key, &value);
  if (s.IsNotFound()) return std::vector<HistoryEntry>();
  if (!s.ok()) return from_rocksdb(s, "reading history " + to_hex(key));
  BAHED_ASSIGN_OR_RETURN(std::vector<HistoryEntry> entries,
                         decode_history(std::string_view(value.data(), value.size()), to_hex(key)));
  // H may have shrunk since this history was written.
  const size_t keep = std::min({max_n, static_cast<size_t>(history_length_), entries.size()});
  entries.erase(entries.begin(), entries.end() - static_cast<std::ptrdiff_t>(keep));
  return entries;
}

Result<std::map<int32_t, int64_t>> HistoryTable::applied_offsets() {
  std::map<int32_t, int64_t> out;
  std::unique_ptr<rocksdb::Iterator> it(db_.db().NewIterator(rocksdb::ReadOptions(), db_.cf(ColumnFamily::kMeta)));
  for (it->Seek(rocksdb::Slice(kOffsetPrefix.data(), kOffsetPrefix.size())); it->Valid(); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    if (!key.starts_with(kOffsetPrefix)) break;
    if (key.size() != kOffsetPrefix.size() + 4 || it->value().size() != 8) {
      return Status::corruption("store meta key " + to_hex(key) + " is not a watermark record");
    }
    out.emplace(static_cast<int32_t>(get_u32_be(key.data() + kOffsetPrefix.size())),
                static_cast<int64_t>(get_u64_be(it->value().data())));
  }
  BAHED_RETURN_IF_ERROR(from_rocksdb(it->status(), "listing applied offsets"));
  return out;
}

Status HistoryTable::for_each_behavior(const std::function<bool(const Hash128&)>& fn) {
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;  // a one-off scan must not evict the hot blocks
  std::unique_ptr<rocksdb::Iterator> it(db_.db().NewIterator(read_options, db_.cf(ColumnFamily::kHistories)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string key_hex = to_hex(std::string_view(it->key().data(), it->key().size()));
    BAHED_ASSIGN_OR_RETURN(const std::vector<HistoryEntry> entries,
                           decode_history(std::string_view(it->value().data(), it->value().size()), key_hex));
    // As read(): H may have shrunk since this history was written.
    const size_t skip = entries.size() - std::min(entries.size(), static_cast<size_t>(history_length_));
    for (size_t i = skip; i < entries.size(); ++i) {
      if (!fn(entries[i].behavior)) return Status::ok();
    }
  }
  return from_rocksdb(it->status(), "scanning histories");
}

}  // namespace bahed::encoder
