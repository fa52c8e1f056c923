#include "encoder/store/rocks_db_handle.h"

#include <vector>

#include "encoder/store/rocks_status.h"

namespace bahed::encoder {

Result<std::unique_ptr<RocksDbHandle>> RocksDbHandle::open(const RocksDbConfig& config, const std::string& path,
                                                           OpenMode mode, const std::string& secondary_path) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (size_t i = 0; i < kNumColumnFamilies; ++i) {
    descriptors.emplace_back(std::string(kColumnFamilyNames[i]), config.cf_options[i]);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  switch (mode) {
    case OpenMode::kReadWrite: s = rocksdb::DB::Open(config.db_options, path, descriptors, &handles, &raw); break;
    case OpenMode::kReadOnly:
      s = rocksdb::DB::OpenForReadOnly(config.db_options, path, descriptors, &handles, &raw);
      break;
    case OpenMode::kSecondary:
      s = rocksdb::DB::OpenAsSecondary(config.db_options, path, secondary_path, descriptors, &handles, &raw);
      break;
  }
  if (!s.ok()) return from_rocksdb(s, "opening behavior store at " + path);
  std::unique_ptr<RocksDbHandle> handle(new RocksDbHandle(mode));
  handle->db_.reset(raw);
  for (size_t i = 0; i < kNumColumnFamilies; ++i) handle->handles_[i] = handles[i];
  return handle;
}

RocksDbHandle::~RocksDbHandle() {
  // Backstop: the owner should have called close() and checked it.
  close().ignore();
}

Status RocksDbHandle::close() {
  if (!db_) return Status::ok();
  Status first_error;
  for (auto*& h : handles_) {
    if (h == nullptr) continue;
    const Status s = from_rocksdb(db_->DestroyColumnFamilyHandle(h), "destroying a column family handle");
    if (first_error.is_ok()) first_error = s;
    h = nullptr;
  }
  const Status closed = from_rocksdb(db_->Close(), "closing behavior store");
  db_.reset();
  return first_error.is_ok() ? closed : first_error;
}

}  // namespace bahed::encoder
