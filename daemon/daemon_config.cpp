#include "daemon/daemon_config.h"

#include "daemon/config_schema.h"

namespace bahed::daemon {

DaemonConfig::DaemonConfig() {
  stream.bootstrap_servers = "embedded";  // resolved at start-up
}

void DaemonConfig::bind(ConfigSchema* s) {
  s->bind("kafka.bootstrap", &kafka.bootstrap,
          "Brokers (bootstrap.servers), or \"embedded\" for librdkafka's mock cluster inside the daemon\n"
          "(a real Kafka-protocol broker on loopback; nothing to install).");
  s->bind("kafka.embedded_partitions", &kafka.embedded_partitions, "Partitions of the events topic on the embedded broker.");
  s->bind("kafka.embedded_address_file", &kafka.embedded_address_file,
          "With the embedded broker: file the daemon writes the broker's address to, for producers\n"
          "(bahectl replay --bootstrap-file FILE). Empty: not written.");
  s->bind("kafka.topic", &stream.topic, "Topic the behavior events arrive on (contract v1, key = user id).");
  s->bind("kafka.group_id", &stream.group_id, "Consumer group; bahed processes sharing it split the partitions.");
  s->bind("kafka.dead_letter_topic", &stream.dead_letter_topic,
          "Rejected messages go here unchanged, with headers bahed.reason, bahed.detail and\n"
          "bahed.source.{topic,partition,offset}. Empty: rejects are only counted and logged.");
  s->bind("kafka.auto_offset_reset", &stream.auto_offset_reset,
          "Where a partition with no committed offset starts: earliest or latest.");
  s->bind("kafka.max_batch_events", &stream.max_batch_events, "Most events handed downstream in one batch.");
  s->bind("kafka.max_batch_wait_ms", &stream.max_batch_wait_ms, "Longest a non-empty batch waits for more events.");
  s->bind("kafka.poll_timeout_ms", &stream.poll_timeout_ms, "How long one consume call blocks when idle.");
  s->bind("kafka.properties", &stream.properties,
          "librdkafka properties passed through unchanged, e.g. security.protocol: SASL_SSL,\n"
          "sasl.mechanisms: PLAIN, sasl.username, sasl.password: \"${env:KAFKA_PASSWORD}\", ssl.ca.location.");
  s->bind("decode.max_message_bytes", &stream.decode.max_message_bytes, "Largest message accepted, in bytes.");
  s->bind("decode.max_text_bytes", &stream.decode.max_text_bytes, "Longest behavior or item text, in bytes.");
  s->bind("decode.max_id_bytes", &stream.decode.max_id_bytes, "Longest user id, item id or feature name, in bytes.");
  s->bind("decode.max_depth", &stream.decode.max_depth, "Deepest JSON nesting accepted.");
  s->bind("decode.min_ts_ms", &stream.decode.min_ts_ms,
          "Earliest event time accepted, ms since the epoch (catches seconds sent as ms).");
  s->bind("decode.max_future_skew_ms", &stream.decode.max_future_skew_ms,
          "How far ahead of the local clock an event time may be, in ms.");
  s->bind("decode.require_key_match", &stream.decode.require_key_match,
          "Refuse messages whose Kafka key differs from their user (keeps a user in one partition).");
  s->bind("runtime.events_queue_batches", &runtime.events_queue_batches,
          "Capacity, in batches, of the queue after the consumer; when full, partitions are paused.");
  s->bind("runtime.progress_interval_s", &runtime.progress_interval_s, "Seconds between progress lines in the log.");
  s->bind("runtime.log_level", &runtime.log_level, "trace, debug, info, warn or error.");
  s->bind("runtime.stop_after_messages", &runtime.stop_after_messages,
          "Stop by itself, as on SIGTERM, after this many messages; 0 = run until signalled.");
  s->bind("runtime.stop_when_idle_s", &runtime.stop_when_idle_s,
          "Stop by itself once partitions are assigned and no message arrived for this many seconds;\n0 = never. For replays of a finite log.");
}

Status DaemonConfig::validate() const {
  if (kafka.bootstrap.empty()) return Status::invalid_argument("kafka.bootstrap must be \"embedded\" or host:port[,...]");
  if (kafka.embedded_partitions < 1 || kafka.embedded_partitions > 1024)
    return Status::invalid_argument("kafka.embedded_partitions must be in [1, 1024]");
  BAHED_RETURN_IF_ERROR(stream.validate());
  if (runtime.events_queue_batches < 1 || runtime.events_queue_batches > 1'000'000)
    return Status::invalid_argument("runtime.events_queue_batches must be in [1, 1000000]");
  if (runtime.progress_interval_s < 1) return Status::invalid_argument("runtime.progress_interval_s must be >= 1");
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error"};
  bool level_ok = false;
  for (const char* l : kLevels) level_ok |= runtime.log_level == l;
  if (!level_ok) return Status::invalid_argument("runtime.log_level must be trace, debug, info, warn or error");
  if (runtime.stop_after_messages < 0) return Status::invalid_argument("runtime.stop_after_messages must be >= 0");
  if (runtime.stop_when_idle_s < 0) return Status::invalid_argument("runtime.stop_when_idle_s must be >= 0");
  return Status::ok();
}

}  // namespace bahed::daemon
