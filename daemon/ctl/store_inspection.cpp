#include "daemon/ctl/store_inspection.h"

#include <time.h>

#include <cctype>
#include <charconv>
#include <cstdio>

#include "common/json_writer.h"

namespace bahed::ctl {

encoder::StoreOptions inspection_options(const std::string& path) {
  encoder::StoreOptions options;
  options.path = path;
  options.history_length = encoder::kMaxHistoryLength;
  return options;
}

Result<InspectedStore> open_for_inspection(const std::string& path, std::optional<uint64_t> version,
                                           const Clock& clock) {
  const encoder::StoreOptions options = inspection_options(path);
  InspectedStore out;
  BAHED_ASSIGN_OR_RETURN(out.recorded, encoder::BehaviorStore::recorded_encoders(options, clock));
  std::optional<encoder::EncoderVersionInfo> chosen = version ? std::nullopt : out.recorded.last_opened;
  for (const encoder::EncoderVersionInfo& v : out.recorded.all) {
    if (version && v.version == *version) chosen = v;
  }
  if (!chosen) {
    std::string recorded;
    for (const encoder::EncoderVersionInfo& v : out.recorded.all) recorded += " " + version_hex(v.version);
    if (recorded.empty()) recorded = " none";
    return Status::not_found((version ? "encoder version " + version_hex(*version) + " is not recorded"
                                      : std::string("no encoder version is recorded as last opened")) +
                             " in the behavior store at " + path + " (recorded:" + recorded + ")");
  }
  BAHED_ASSIGN_OR_RETURN(out.store, encoder::BehaviorStore::open_read_only(
                                        options, encoder::EncoderSpec{chosen->version, chosen->dimension}, clock));
  return out;
}

std::string version_hex(uint64_t version) {
  char buf[19];
  std::snprintf(buf, sizeof(buf), "0x%016llx", static_cast<unsigned long long>(version));
  return buf;
}

std::optional<uint64_t> parse_version(std::string_view text) {
  int base = 10;
  if (text.starts_with("0x") || text.starts_with("0X")) {
    text.remove_prefix(2);
    base = 16;
  }
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::string> parse_hex_bytes(std::string_view text, size_t n_bytes) {
  if (text.size() != 2 * n_bytes) return std::nullopt;
  std::string out;
  out.reserve(n_bytes);
  for (size_t i = 0; i < text.size(); i += 2) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data() + i, text.data() + i + 2, value, 16);
    if (ec != std::errc() || end != text.data() + i + 2) return std::nullopt;
    out.push_back(static_cast<char>(value));
  }
  return out;
}

std::string describe_text(const std::optional<encoder::BehaviorText>& text) {
  if (!text) return "-";
  std::string out = text->feature + ": ";
  append_json_string(out, text->text);
  return out;
}

std::string pad_column(const std::string& s, size_t width, bool right_aligned) {
  if (s.size() >= width) return s;
  const std::string fill(width - s.size(), ' ');
  return right_aligned ? fill + s : s + fill;
}

std::string iso8601_utc(int64_t epoch_ms) {
  // Floor division, so times before 1970 print correctly too.
  int64_t seconds = epoch_ms / 1000;
  int64_t millis = epoch_ms % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  const time_t t = static_cast<time_t>(seconds);
  struct tm tm {};
  if (gmtime_r(&t, &tm) == nullptr) return "?";
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
  return buf;
}

}  // namespace bahed::ctl
