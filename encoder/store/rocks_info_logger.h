#pragma once
// RocksInfoLogger: RocksDB's informational log (DBOptions::info_log) written
// to a bahed logger instead of RocksDB's own LOG file in the store directory.
//
// Why: RocksDB writes its LOG file through a buffered file writer that
// asserts on the next line after a write to it failed, and Debian's
// librocksdb keeps its assertions. On a full or read-only store disk that
// aborted bahed (SIGABRT) instead of returning the write failure to the
// encoder stage, which stops the daemon with the error. Through spdlog no
// file but RocksDB's data can fail on the store's disk, and RocksDB's
// warnings and errors land in the daemon's log.
//
// Levels: RocksDB's debug, info and header lines (options dump, flush and
// compaction events) at debug; its warnings at info (a warn would need a
// metric of its own); errors and fatal errors at error.
// Thread safety: RocksDB logs from any of its threads; spdlog loggers are
// thread-safe.
#include <rocksdb/env.h>

#include <cstdarg>

#include "common/logger.h"

namespace bahed::encoder {

class RocksInfoLogger final : public rocksdb::Logger {
 public:
  explicit RocksInfoLogger(bahed::Logger logger);

  // Lines without a level (RocksDB's info).
  void Logv(const char* format, va_list ap) override;
  void Logv(rocksdb::InfoLogLevel level, const char* format, va_list ap) override;

 private:
  bahed::Logger logger_;
};

}  // namespace bahed::encoder
