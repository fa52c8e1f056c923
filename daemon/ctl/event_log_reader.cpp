#include "daemon/ctl/event_log_reader.h"

#include <simdjson.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace bahed::ctl {

Result<std::vector<std::string>> read_event_log(const std::string& path, int64_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found("cannot open event log " + path + ": " + std::strerror(errno));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    lines.push_back(std::move(line));
    if (limit > 0 && static_cast<int64_t>(lines.size()) >= limit) break;
  }
  if (in.bad()) return Status::io_error("reading " + path);
  return lines;
}

struct EventUserExtractor::Parser {
  simdjson::dom::parser parser;
};

EventUserExtractor::EventUserExtractor() : parser_(std::make_unique<Parser>()) {}
EventUserExtractor::~EventUserExtractor() = default;

std::string EventUserExtractor::user_of(const std::string& line) {
  simdjson::dom::element root;
  if (parser_->parser.parse(line).get(root) != simdjson::SUCCESS) return {};
  std::string_view user;
  if (root["user"].get_string().get(user) != simdjson::SUCCESS) return {};
  return std::string(user);
}

Result<KeyedEventLog> read_keyed_event_log(const std::string& path, int64_t limit) {
  auto lines = read_event_log(path, limit);
  if (!lines.is_ok()) return lines.status().with_context("make one with: bahectl data movielens");
  KeyedEventLog log;
  log.lines = std::move(lines).value();
  EventUserExtractor users;
  log.keys.reserve(log.lines.size());
  for (const auto& l : log.lines) {
    log.keys.push_back(users.user_of(l));
    log.bytes += static_cast<int64_t>(l.size());
  }
  return log;
}

}  // namespace bahed::ctl
