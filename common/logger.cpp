#include "common/logger.h"

#include <spdlog/details/file_helper.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/null_sink.h>

#include <cstdio>
#include <mutex>

namespace bahed {
namespace {

// stderr, or a file that can be reopened after logrotate moved it. One
// instance per process, shared by every component's logger, so lines never
// interleave mid-line.
class ProcessSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  Status open_file(const std::string& path) {
    std::lock_guard lock(mutex_);
    try {
      auto file = std::make_unique<spdlog::details::file_helper>();
      file->open(path, /*truncate=*/false);
      file_ = std::move(file);
    } catch (const spdlog::spdlog_ex& e) {
      return Status::io_error("opening log file " + path + ": " + e.what());
    }
    return Status::ok();
  }
  Status reopen() {
    std::lock_guard lock(mutex_);
    if (!file_) return Status::ok();
    try {
      file_->reopen(/*truncate=*/false);
    } catch (const spdlog::spdlog_ex& e) {
      return Status::io_error(std::string("reopening the log file: ") + e.what());
    }
    return Status::ok();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    if (file_) {
      file_->write(formatted);
    } else {
      std::fwrite(formatted.data(), 1, formatted.size(), stderr);
    }
  }
  void flush_() override {
    if (file_) {
      file_->flush();
    } else {
      std::fflush(stderr);
    }
  }

 private:
  std::unique_ptr<spdlog::details::file_helper> file_;  // guarded by mutex_; null: stderr
};

// spdlog's own process-wide state, like its registry; not ours to pass around.
const std::shared_ptr<ProcessSink>& process_sink() {
  static const auto sink = std::make_shared<ProcessSink>();
  return sink;
}

}  // namespace

Logger make_logger(const std::string& component) {
  auto logger = std::make_shared<spdlog::logger>(component, process_sink());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %L %n %v");
  logger->set_level(spdlog::get_level());
  // A line per event at info and above reaches the file at once (a crash
  // loses nothing already logged).
  logger->flush_on(spdlog::level::info);
  return logger;
}

Logger make_null_logger(const std::string& component) {
  return std::make_shared<spdlog::logger>(component, std::make_shared<spdlog::sinks::null_sink_mt>());
}

Status log_to_file(const std::string& path) { return process_sink()->open_file(path); }

Status reopen_log_file() { return process_sink()->reopen(); }

}  // namespace bahed
