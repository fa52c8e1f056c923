#include "encoder/store/rocks_db_handle.h"

#include <algorithm>
#include <vector>

#include "encoder/store/rocks_status.h"

namespace bahed::encoder {

namespace {

// The families to open, by index: all of them, except that a read-only or
// secondary open leaves out an optional family the store does not have yet.
// If the families cannot be listed (no store there), all are asked for and
// the open itself reports the problem.
std::vector<size_t> families_to_open(const RocksDbConfig& config, const std::string& path, OpenMode mode) {
  std::vector<std::string> existing;
  const bool listed =
      mode != OpenMode::kReadWrite && rocksdb::DB::ListColumnFamilies(config.db_options, path, &existing).ok();
  std::vector<size_t> out;
  for (size_t i = 0; i < kNumColumnFamilies; ++i) {
    const bool present = !listed || !column_family_may_be_absent(static_cast<ColumnFamily>(i)) ||
                         std::find(existing.begin(), existing.end(), kColumnFamilyNames[i]) != existing.end();
    if (present) out.push_back(i);
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<RocksDbHandle>> RocksDbHandle::open(const RocksDbConfig& config, const std::string& path,
                                                           OpenMode mode, const std::string& secondary_path) {
  const std::vector<size_t> families = families_to_open(config, path, mode);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const size_t i : families) {
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
  for (size_t j = 0; j < families.size(); ++j) handle->handles_[families[j]] = handles[j];
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
