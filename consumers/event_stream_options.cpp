// EventStreamOptions::validate, apart from the stream itself so that
// configuration code (daemon/config_*, the config fuzz target) links it
// without librdkafka's consumer machinery.
#include "consumers/event_stream.h"

namespace bahed::consumers {

Status EventStreamOptions::validate() const {
  if (bootstrap_servers.empty()) return Status::invalid_argument("kafka.bootstrap must name the brokers (or 'embedded')");
  if (topic.empty()) return Status::invalid_argument("kafka.topic must not be empty");
  if (group_id.empty()) return Status::invalid_argument("kafka.group_id must not be empty");
  if (dead_letter_topic == topic) return Status::invalid_argument("kafka.dead_letter_topic must differ from kafka.topic");
  if (share_count < 0 || (share_count > 0 && (share_index < 0 || share_index >= share_count)))
    return Status::invalid_argument("event stream: share_index must be in [0, share_count)");
  if (auto_offset_reset != "earliest" && auto_offset_reset != "latest")
    return Status::invalid_argument("kafka.auto_offset_reset must be earliest or latest");
  if (dead_letter_max_payload_bytes < 1024)
    return Status::invalid_argument("kafka.dead_letter_max_payload_bytes must be >= 1024");
  if (max_batch_events < 1 || max_batch_events > 1'000'000)
    return Status::invalid_argument("kafka.max_batch_events must be in [1, 1000000]");
  if (max_batch_wait_ms < 0) return Status::invalid_argument("kafka.max_batch_wait_ms must be >= 0");
  if (poll_timeout_ms < 1 || poll_timeout_ms > 10000) return Status::invalid_argument("kafka.poll_timeout_ms must be in [1, 10000]");
  if (lag_refresh_ms < 100 || lag_refresh_ms > 3'600'000)
    return Status::invalid_argument("kafka.lag_refresh_ms must be in [100, 3600000]");
  return decode.validate();
}

}  // namespace bahed::consumers
