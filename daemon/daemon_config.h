#pragma once
// DaemonConfig: every option of the daemon, grouped by the component that
// owns it, and the one place that binds YAML keys to them.
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "consumers/event_stream.h"

namespace bahed::daemon {

class ConfigSchema;

struct KafkaSetup {
  // "embedded" starts librdkafka's mock cluster inside the daemon (on
  // loopback, nothing to install); anything else is bootstrap.servers.
  // Default: "embedded".
  std::string bootstrap = "embedded";
  // Partitions of the events topic when the broker is embedded. Default: 4.
  int embedded_partitions = 4;
  // When the broker is embedded, its address is written here for producers
  // (e.g. `bahectl replay --bootstrap-file`). Default: "" (not written).
  std::string embedded_address_file;
};

struct RuntimeOptions {
  // Capacity, in batches, of the queue from the consumer to the next stage;
  // when full, Kafka partitions are paused. Default: 64.
  int64_t events_queue_batches = 64;
  // Seconds between progress lines in the log. Default: 5.
  int64_t progress_interval_s = 5;
  // Log level: trace, debug, info, warn, error. Default: "info".
  std::string log_level = "info";
  // Stop by itself (as on SIGTERM) once this many messages were consumed;
  // 0 = run until signalled. For demos and tests. Default: 0.
  int64_t stop_after_messages = 0;
  // Stop by itself once no message arrived for this long; 0 = never.
  // For replays of a finite log. Default: 0.
  int64_t stop_when_idle_s = 0;
};

struct DaemonConfig {
  KafkaSetup kafka;
  consumers::EventStreamOptions stream;
  RuntimeOptions runtime;

  DaemonConfig();
  // Binds every key to this object's fields (their current values are the defaults).
  void bind(ConfigSchema* schema);
  // Validates every component's options; the message names the key.
  Status validate() const;
};

}  // namespace bahed::daemon
