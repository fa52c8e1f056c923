#pragma once
// Reads an event log (JSON lines) into memory, one string per line, for
// replay and benchmarks.
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace bahed::ctl {

// Every non-empty line of `path`, without its newline. `limit` > 0 stops early.
Result<std::vector<std::string>> read_event_log(const std::string& path, int64_t limit = 0);

// An event log with each line's Kafka key (its user) beside it.
struct KeyedEventLog {
  std::vector<std::string> lines;
  std::vector<std::string> keys;
  int64_t bytes = 0;
};
// Reads `path` as read_event_log does and extracts every line's user. The
// error tells how to make the default log when it is missing.
Result<KeyedEventLog> read_keyed_event_log(const std::string& path, int64_t limit = 0);

// Extracts the "user" field of contract-v1 lines, reusing one JSON parser.
// Not thread-safe: one per thread.
class EventUserExtractor {
 public:
  EventUserExtractor();
  ~EventUserExtractor();
  // The user of `line`, or "" when the line has none (it is then produced
  // without a key, and the daemon dead-letters it).
  std::string user_of(const std::string& line);

 private:
  struct Parser;
  std::unique_ptr<Parser> parser_;
};

}  // namespace bahed::ctl
