#include "consumers/dead_letter_sink.h"

#include <algorithm>

namespace bahed::consumers {

Status DeadLetterSink::send(const DeadLetter& letter) {
  const bool truncated = static_cast<int64_t>(letter.payload.size()) > max_payload_bytes_;
  KafkaHeaders headers = {
      {"bahed.reason", std::string(reject_reason_name(letter.reason))},
      {"bahed.detail", std::string(letter.detail)},
      {"bahed.source.topic", std::string(letter.source_topic)},
      {"bahed.source.partition", std::to_string(letter.source_partition)},
      {"bahed.source.offset", std::to_string(letter.source_offset)},
      {"bahed.payload_bytes", std::to_string(letter.payload.size())},
  };
  if (truncated) headers.push_back({"bahed.truncated", "true"});
  const std::string_view payload =
      letter.payload.substr(0, std::min<size_t>(letter.payload.size(), static_cast<size_t>(max_payload_bytes_)));
  return producer_->produce(topic_, letter.key, payload, headers);
}

Status DeadLetterSink::flush(int timeout_ms) {
  if (Status flushed = producer_->flush(timeout_ms); !flushed.is_ok()) {
    return Status::unavailable("dead-letter topic '" + topic_ + "': " + flushed.message());
  }
  if (const int64_t failed = producer_->n_failed(); failed > 0) {
    return Status::unavailable("dead-letter topic '" + topic_ + "' refused " + std::to_string(failed) +
                               " rejected messages (last error: " + producer_->last_error() +
                               "); check that the topic exists and takes messages of that size");
  }
  return Status::ok();
}

}  // namespace bahed::consumers
