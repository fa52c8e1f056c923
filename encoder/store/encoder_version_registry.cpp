#include "encoder/store/encoder_version_registry.h"

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>

#include <memory>

#include "encoder/store/behavior_key.h"
#include "encoder/store/big_endian.h"
#include "encoder/store/meta_keys.h"
#include "encoder/store/rocks_status.h"

namespace bahed::encoder {
namespace {

std::string hex_version(uint64_t version) {
  std::string bytes;
  put_u64_be(bytes, version);
  return "0x" + to_hex(bytes);
}

// The vectors-family range [begin, end) holding every key of `version`.
std::pair<std::string, std::string> version_range(uint64_t version) {
  std::string begin;
  put_u64_be(begin, version);
  std::string end;
  if (version != UINT64_MAX) {
    put_u64_be(end, version + 1);
  } else {
    // No next version: a key longer than every 24-byte key of this one.
    end = begin + std::string(Hash128::kSizeBytes + 1, '\xff');
  }
  return {begin, end};
}

}  // namespace

Result<std::optional<std::string>> EncoderVersionRegistry::get_meta(const std::string& key) {
  std::string value;
  const rocksdb::Status s = db_.db().Get(rocksdb::ReadOptions(), db_.cf(ColumnFamily::kMeta), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return from_rocksdb(s, "reading store meta key " + to_hex(key));
  return std::optional<std::string>(std::move(value));
}

Result<std::vector<EncoderVersionInfo>> EncoderVersionRegistry::list() {
  std::vector<EncoderVersionInfo> out;
  std::unique_ptr<rocksdb::Iterator> it(db_.db().NewIterator(rocksdb::ReadOptions(), db_.cf(ColumnFamily::kMeta)));
  for (it->Seek(rocksdb::Slice(kEncoderVersionPrefix.data(), kEncoderVersionPrefix.size())); it->Valid(); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    if (!key.starts_with(kEncoderVersionPrefix)) break;
    if (key.size() != kEncoderVersionPrefix.size() + 8 || it->value().size() != 4) {
      return Status::corruption("store meta key " + to_hex(key) + " is not an encoder version record");
    }
    out.push_back({get_u64_be(key.data() + kEncoderVersionPrefix.size()), get_u32_be(it->value().data())});
  }
  BAHED_RETURN_IF_ERROR(from_rocksdb(it->status(), "listing encoder versions"));
  return out;
}

Status EncoderVersionRegistry::check_schema() {
  BAHED_ASSIGN_OR_RETURN(const std::optional<std::string> schema, get_meta(std::string(kSchemaKey)));
  if (!schema) return Status::ok();
  if (schema->size() != 4)
    return Status::corruption("store meta schema record has " + std::to_string(schema->size()) + " bytes");
  const uint32_t found = get_u32_be(schema->data());
  if (found != kStoreSchemaVersion) {
    return Status::invalid_argument("behavior store schema is " + std::to_string(found) + ", this build reads " +
                                    std::to_string(kStoreSchemaVersion) + "; use a new store.path");
  }
  return Status::ok();
}

Result<std::optional<EncoderVersionInfo>> EncoderVersionRegistry::last_opened() {
  BAHED_ASSIGN_OR_RETURN(const std::optional<std::string> current, get_meta(std::string(kCurrentEncoderKey)));
  if (!current) return std::optional<EncoderVersionInfo>();
  if (current->size() != 12)
    return Status::corruption("store meta encoder/current record has " + std::to_string(current->size()) + " bytes");
  return std::optional<EncoderVersionInfo>(
      EncoderVersionInfo{get_u64_be(current->data()), get_u32_be(current->data() + 8)});
}

Result<OpenReport> EncoderVersionRegistry::check_open(const EncoderSpec& spec, bool record,
                                                      rocksdb::WriteBatch& batch) {
  BAHED_RETURN_IF_ERROR(check_schema());
  OpenReport report;
  report.current = {spec.version, spec.dimension};
  BAHED_ASSIGN_OR_RETURN(report.previous, last_opened());
  BAHED_ASSIGN_OR_RETURN(const std::vector<EncoderVersionInfo> versions, list());
  report.current_known = false;
  for (const EncoderVersionInfo& v : versions) {
    if (v.version != spec.version) {
      report.other_versions.push_back(v);
      continue;
    }
    report.current_known = true;
    if (v.dimension != spec.dimension) {
      return Status::invalid_argument(
          "behavior store holds vectors of encoder version " + hex_version(spec.version) + " with dimension " +
          std::to_string(v.dimension) + ", but it is opened with dimension " + std::to_string(spec.dimension) +
          "; anything that changes the vectors must change the encoder version fingerprint");
    }
  }

  if (record) {
    std::string schema_value;
    put_u32_be(schema_value, kStoreSchemaVersion);
    std::string current_value;
    put_u64_be(current_value, spec.version);
    put_u32_be(current_value, spec.dimension);
    std::string dimension_value;
    put_u32_be(dimension_value, spec.dimension);
    rocksdb::ColumnFamilyHandle* meta = db_.cf(ColumnFamily::kMeta);
    BAHED_RETURN_IF_ERROR(from_rocksdb(batch.Put(meta, std::string(kSchemaKey), schema_value), "batching schema"));
    BAHED_RETURN_IF_ERROR(
        from_rocksdb(batch.Put(meta, std::string(kCurrentEncoderKey), current_value), "batching encoder/current"));
    BAHED_RETURN_IF_ERROR(
        from_rocksdb(batch.Put(meta, encoder_version_key(spec.version), dimension_value), "batching encoder version"));
  }
  return report;
}

Status EncoderVersionRegistry::add_drop(uint64_t version, rocksdb::WriteBatch& batch) {
  const auto [begin, end] = version_range(version);
  BAHED_RETURN_IF_ERROR(
      from_rocksdb(batch.DeleteRange(db_.cf(ColumnFamily::kVectors), begin, end), "batching a vector range delete"));
  return from_rocksdb(batch.Delete(db_.cf(ColumnFamily::kMeta), encoder_version_key(version)),
                      "batching an encoder version delete");
}

}  // namespace bahed::encoder
