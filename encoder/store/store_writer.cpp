#include "encoder/store/store_writer.h"

#include <string>

#include "encoder/store/rocks_status.h"

namespace bahed::encoder {

StoreWriter::StoreWriter(RocksDbHandle& db, bool sync_writes) : db_(db) { write_options_.sync = sync_writes; }

Status StoreWriter::check_writable(std::string_view operation) const {
  if (db_.mode() != OpenMode::kReadWrite) {
    return Status::invalid_argument(std::string(operation) + ": the behavior store is open read-only");
  }
  std::lock_guard lock(mu_);
  if (!failure_.is_ok()) {
    return failure_.with_context(std::string(operation) +
                                 ": the behavior store refuses writes after an earlier write failed (reopen it)");
  }
  return Status::ok();
}

bool StoreWriter::failed() const {
  std::lock_guard lock(mu_);
  return !failure_.is_ok();
}

Status StoreWriter::record(Status s) {
  if (!s.is_ok()) {
    std::lock_guard lock(mu_);
    if (failure_.is_ok()) failure_ = s;
  }
  return s;
}

Status StoreWriter::write(rocksdb::WriteBatch& batch, std::string_view operation) {
  BAHED_RETURN_IF_ERROR(check_writable(operation));
  return record(from_rocksdb(db_.db().Write(write_options_, &batch), operation));
}

Status StoreWriter::sync_wal() {
  BAHED_RETURN_IF_ERROR(check_writable("syncing the WAL"));
  return record(from_rocksdb(db_.db().SyncWAL(), "syncing the WAL"));
}

}  // namespace bahed::encoder
