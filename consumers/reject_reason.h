#pragma once
// Why a message was refused. The name goes into the dead-letter message's
// `bahed.reason` header and into the per-reason counter, so names are
// stable API: add, never rename.
#include <array>
#include <cstddef>
#include <string_view>

namespace bahed::consumers {

enum class RejectReason : uint8_t {
  kOversizeMessage,     // payload larger than decode.max_message_bytes
  kMalformedJson,       // not parseable JSON
  kInvalidUtf8,         // JSON with bytes that are not UTF-8
  kTooDeep,             // nesting beyond decode.max_depth
  kNotAnObject,         // the root is not a JSON object
  kMissingField,        // a required field is absent
  kWrongType,           // a field has the wrong JSON type
  kUnsupportedVersion,  // "v" is not a version this build reads
  kUnknownType,         // "type" is neither impression nor behavior
  kEmptyField,          // a required string is empty
  kOversizeField,       // a string is longer than its configured limit
  kBadTimestamp,        // "ts" outside [decode.min_ts_ms, now + decode.max_future_skew_ms]
  kBadLabel,            // "label" is not 0, 1, true or false
  kEmptyKey,            // the Kafka message has no key (the key must be the user id)
  kKeyMismatch,         // the Kafka key differs from "user"
  kControlCharacter,    // a text contains NUL or another C0 control character
};

inline constexpr size_t kNumRejectReasons = 16;

constexpr std::string_view reject_reason_name(RejectReason reason) {
  constexpr std::array<std::string_view, kNumRejectReasons> kNames = {
      "oversize_message", "malformed_json", "invalid_utf8",  "too_deep",   "not_an_object", "missing_field",
      "wrong_type",       "unsupported_version", "unknown_type", "empty_field", "oversize_field", "bad_timestamp",
      "bad_label",        "empty_key",   "key_mismatch", "control_character",
  };
  return kNames[static_cast<size_t>(reason)];
}

}  // namespace bahed::consumers
