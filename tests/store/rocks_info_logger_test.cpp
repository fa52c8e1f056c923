#include "encoder/store/rocks_info_logger.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <sstream>
#include <string>

namespace bahed::encoder {
namespace {

class RocksInfoLoggerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto logger = std::make_shared<spdlog::logger>("rocksdb", std::make_shared<spdlog::sinks::ostream_sink_st>(out_));
    logger->set_pattern("%l %v");
    logger->set_level(spdlog::level::info);
    info_log_ = std::make_shared<RocksInfoLogger>(logger);
  }
  std::ostringstream out_;
  std::shared_ptr<rocksdb::Logger> info_log_;
};

TEST_F(RocksInfoLoggerTest, ForwardsErrorsAndWarningsAndKeepsInfoAtDebug) {
  rocksdb::Log(rocksdb::InfoLogLevel::ERROR_LEVEL, info_log_, "While appending to file: %s: %s", "/s/000004.log",
               "No space left on device");
  rocksdb::Log(rocksdb::InfoLogLevel::WARN_LEVEL, info_log_, "Stalling writes because of %d level-0 files", 20);
  rocksdb::Log(rocksdb::InfoLogLevel::INFO_LEVEL, info_log_, "[default] Flushing memtable");
  rocksdb::Header(info_log_, "Options.max_open_files: %d", -1);
  EXPECT_EQ(out_.str(),
            "error rocksdb_log level=error While appending to file: /s/000004.log: No space left on device\n"
            "info rocksdb_log level=warn Stalling writes because of 20 level-0 files\n");
}

TEST_F(RocksInfoLoggerTest, KeepsALongLineWhole) {
  const std::string long_text(2000, 'x');
  rocksdb::Log(rocksdb::InfoLogLevel::ERROR_LEVEL, info_log_, "%s!", long_text.c_str());
  EXPECT_EQ(out_.str(), "error rocksdb_log level=error " + long_text + "!\n");
}

}  // namespace
}  // namespace bahed::encoder
