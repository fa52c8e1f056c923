#pragma once
// EventDecoder: turns one Kafka message (key + JSON payload) into a validated
// contract-v1 Event, or says precisely why not. Not thread-safe: keep one per
// consuming thread (it owns a reusable simdjson parser).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/event.h"
#include "common/status.h"
#include "consumers/reject_reason.h"

namespace bahed::consumers {

struct DecodeOptions {
  // Largest payload accepted; bigger messages are dead-lettered unread.
  // Default: 1048576 (1 MiB).
  int64_t max_message_bytes = 1 << 20;
  // Longest behavior or item text, in bytes (after JSON unescaping).
  // Default: 4096.
  int64_t max_text_bytes = 4096;
  // Longest user id, item id or feature name, in bytes. Default: 256.
  int64_t max_id_bytes = 256;
  // Deepest JSON nesting accepted (the contract needs 2). Default: 16.
  int64_t max_depth = 16;
  // Earliest acceptable event time, ms since the epoch; older is treated as a
  // unit error (seconds sent as ms). Default: 631152000000 (1990-01-01).
  int64_t min_ts_ms = 631152000000;
  // How far in the future of the local clock an event time may be.
  // Default: 86400000 (1 day).
  int64_t max_future_skew_ms = 86400000;
  // Whether the Kafka key must equal "user" (keeps a user's events in one
  // partition, in order). Default: true.
  bool require_key_match = true;

  Status validate() const;
};

struct DecodeOutcome {
  bool ok = false;
  RejectReason reason = RejectReason::kMalformedJson;  // when !ok
  std::string detail;                                   // when !ok: which field and what was wrong
};

class EventDecoder {
 public:
  explicit EventDecoder(DecodeOptions options);
  ~EventDecoder();
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  // Decodes `payload` into `*event` (fields reset first). `key` is the Kafka
  // message key (empty if none); `now_ms` the wall clock for the future-skew
  // check. Never throws; any input is safe.
  DecodeOutcome decode(std::string_view key, std::string_view payload, int64_t now_ms, Event* event);

  const DecodeOptions& options() const { return options_; }

 private:
  struct Parser;
  DecodeOptions options_;
  std::unique_ptr<Parser> parser_;
  bool allocated_up_front_ = false;
};

}  // namespace bahed::consumers
