#pragma once
// JsonWriter: appends compact JSON to a string. Enough for event logs,
// manifests and /status; it escapes strings per RFC 8259 and never allocates
// per value beyond the output buffer.
#include <cstdint>
#include <string>
#include <string_view>

namespace bahed {

// Appends `s` as a quoted JSON string. Bytes >= 0x80 pass through unchanged
// (the caller supplies UTF-8); control characters are escaped.
void append_json_string(std::string& out, std::string_view s);

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view v);
  JsonWriter& value(const char* v) { return value(std::string_view(v)); }
  JsonWriter& value(int64_t v);
  JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
  JsonWriter& value(uint64_t v);
  JsonWriter& value(double v);
  JsonWriter& value(bool v);
  JsonWriter& null();
  // Inserts already-serialized JSON as one value.
  JsonWriter& raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }
  void clear() { out_.clear(); need_comma_ = false; }

 private:
  void separate();
  std::string out_;
  bool need_comma_ = false;
};

}  // namespace bahed
