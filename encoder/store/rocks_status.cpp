#include "encoder/store/rocks_status.h"

#include <string>

namespace bahed::encoder {

Status from_rocksdb(const rocksdb::Status& s, std::string_view operation) {
  if (s.ok()) return Status::ok();
  std::string msg(operation);
  msg += ": ";
  msg += s.ToString();
  switch (s.code()) {
    case rocksdb::Status::kNotFound: return Status::not_found(std::move(msg));
    case rocksdb::Status::kCorruption: return Status::corruption(std::move(msg));
    case rocksdb::Status::kInvalidArgument:
    case rocksdb::Status::kNotSupported: return Status::invalid_argument(std::move(msg));
    case rocksdb::Status::kIOError: return Status::io_error(std::move(msg));
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTryAgain: return Status::unavailable(std::move(msg));
    case rocksdb::Status::kTimedOut: return Status::timed_out(std::move(msg));
    case rocksdb::Status::kAborted:
    case rocksdb::Status::kIncomplete:
    case rocksdb::Status::kShutdownInProgress: return Status::aborted(std::move(msg));
    default: return Status::internal(std::move(msg));
  }
}

}  // namespace bahed::encoder
