#include "encoder/store/rocks_info_logger.h"

#include <cstdio>
#include <string>
#include <utility>

namespace bahed::encoder {
namespace {

spdlog::level::level_enum to_spdlog(rocksdb::InfoLogLevel level) {
  switch (level) {
    case rocksdb::InfoLogLevel::WARN_LEVEL: return spdlog::level::info;
    case rocksdb::InfoLogLevel::ERROR_LEVEL:
    case rocksdb::InfoLogLevel::FATAL_LEVEL: return spdlog::level::err;
    default: return spdlog::level::debug;  // debug, info, header
  }
}

const char* level_name(rocksdb::InfoLogLevel level) {
  switch (level) {
    case rocksdb::InfoLogLevel::DEBUG_LEVEL: return "debug";
    case rocksdb::InfoLogLevel::WARN_LEVEL: return "warn";
    case rocksdb::InfoLogLevel::ERROR_LEVEL: return "error";
    case rocksdb::InfoLogLevel::FATAL_LEVEL: return "fatal";
    case rocksdb::InfoLogLevel::HEADER_LEVEL: return "header";
    default: return "info";
  }
}

}  // namespace

RocksInfoLogger::RocksInfoLogger(bahed::Logger logger)
    : rocksdb::Logger(rocksdb::InfoLogLevel::DEBUG_LEVEL), logger_(std::move(logger)) {}

void RocksInfoLogger::Logv(const char* format, va_list ap) { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }

void RocksInfoLogger::Logv(rocksdb::InfoLogLevel level, const char* format, va_list ap) {
  const spdlog::level::level_enum to = to_spdlog(level);
  if (!logger_->should_log(to)) return;  // most lines: formatting them would be wasted
  char small[512];
  va_list copy;
  va_copy(copy, ap);
  const int n = std::vsnprintf(small, sizeof small, format, copy);
  va_end(copy);
  if (n < 0) return;
  std::string text;
  if (static_cast<size_t>(n) < sizeof small) {
    text.assign(small, static_cast<size_t>(n));
  } else {
    text.resize(static_cast<size_t>(n) + 1);
    std::vsnprintf(text.data(), text.size(), format, ap);
    text.resize(static_cast<size_t>(n));
  }
  logger_->log(to, "rocksdb_log level={} {}", level_name(level), text);
}

}  // namespace bahed::encoder
