#pragma once
// The one place a rocksdb::Status becomes a bahed Status.
#include <rocksdb/status.h>

#include <string_view>

#include "common/status.h"

namespace bahed::encoder {

// "<operation>: <RocksDB's message>", with the code mapped: NotFound,
// Corruption, InvalidArgument and IOError (disk full included) keep their
// meaning; Busy/TryAgain are Unavailable; TimedOut stays; Aborted,
// Incomplete and ShutdownInProgress are Aborted; anything else is Internal.
Status from_rocksdb(const rocksdb::Status& s, std::string_view operation);

}  // namespace bahed::encoder
