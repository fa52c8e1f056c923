#pragma once
// EventLogWriter: writes contract-v1 events as JSON lines, one per event, the
// format `bahectl replay` produces into Kafka and the daemon consumes.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "common/event.h"
#include "common/status.h"

namespace bahed::ctl {

// Serializes one event as its contract-v1 JSON object (no trailing newline).
// `rating` < 0 omits the informational "rating" field (not part of the
// contract; consumers ignore unknown fields).
std::string event_to_json(const Event& event, double rating = -1.0);

class EventLogWriter {
 public:
  // Creates parent directories and writes to `<path>.tmp`; close() renames it
  // into place, so a half-written log never has the final name.
  static Status open(const std::string& path, std::unique_ptr<EventLogWriter>* out);
  ~EventLogWriter();

  Status write(const Event& event, double rating = -1.0);
  // Flushes, fsyncs and renames into place.
  Status close();
  int64_t n_written() const { return n_written_; }

 private:
  EventLogWriter(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}
  std::string path_;
  std::FILE* file_ = nullptr;
  std::string line_;
  int64_t n_written_ = 0;
};

}  // namespace bahed::ctl
