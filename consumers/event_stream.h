#pragma once
// EventStream: the consumer stage. One consumer-group member that reads the
// events topic, decodes and validates each message (contract v1), sends every
// rejected message to the dead-letter topic with its reason, and hands
// accepted events downstream in EventBatches through a bounded queue.
//
// Offsets belong to the application: auto-commit is off, and commit() is
// called by the daemon only once a checkpoint covering them is durable.
// When the output queue is full, the assigned partitions are paused and the
// consumer keeps polling, so group membership survives long stalls.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/bounded_queue.h"
#include "common/clock.h"
#include "common/event.h"
#include "common/logger.h"
#include "common/result.h"
#include "consumers/consumer_metrics.h"
#include "consumers/event_decoder.h"
#include "consumers/kafka_config.h"

namespace bahed::consumers {

struct EventStreamOptions {
  // bootstrap.servers of the cluster (the daemon resolves "embedded" to its
  // in-process broker before this point). Default: "" (required).
  std::string bootstrap_servers;
  // Topic the events arrive on. Default: "bahed.events".
  std::string topic = "bahed.events";
  // Consumer group; processes sharing it split the partitions. Default: "bahed".
  std::string group_id = "bahed";
  // Where rejected messages go, with the reason in headers; empty disables
  // dead-lettering (rejects are then only counted and logged). Default: "bahed.events.dlq".
  std::string dead_letter_topic = "bahed.events.dlq";
  // Largest payload a dead letter carries: a rejected message beyond it
  // goes with its first bytes and the headers bahed.payload_bytes (its full
  // size) and bahed.truncated, the whole message staying readable at its
  // source offset. Keep it under the producer's and the topic's
  // message.max.bytes (1,000,000 by default), which refuse larger ones.
  // Default: 900000.
  int64_t dead_letter_max_payload_bytes = 900'000;
  // librdkafka properties passed through unchanged (security.protocol,
  // sasl.*, ssl.*, fetch sizes...). Default: none.
  KafkaProperties properties;
  // Where a partition with no committed offset starts. Default: "earliest".
  std::string auto_offset_reset = "earliest";
  // Data-parallel ranks: instead of subscribing (the group then moves
  // partitions between members whenever one joins or leaves), take the
  // topic's partitions p with p % share_count == share_index by assign(),
  // as Flink's Kafka source does: a rank's share never changes under it,
  // and the group id only keeps committed offsets. 0: subscribe. Default: 0.
  int64_t share_count = 0;
  int64_t share_index = 0;
  // Most events in one batch handed downstream. Default: 1024.
  int64_t max_batch_events = 1024;
  // Longest time a non-empty batch waits for more events. Default: 50.
  int64_t max_batch_wait_ms = 50;
  // How long one consume() call blocks when there is nothing to read. Default: 100.
  int64_t poll_timeout_ms = 100;
  // How often the partitions' end offsets are asked of the broker for the
  // lag (metrics, progress lines), from a thread of its own. Default: 5000.
  int64_t lag_refresh_ms = 5000;
  DecodeOptions decode;

  Status validate() const;
};

class EventStream {
 public:
  // Decides where each newly assigned partition starts: an offset, or
  // nullopt for the group's committed offset (else auto_offset_reset).
  using StartOffsetFn = std::function<std::optional<int64_t>(int32_t partition)>;

  // `out` must outlive the stream. Nothing is consumed before start().
  static Result<std::unique_ptr<EventStream>> create(const EventStreamOptions& options, BoundedQueue<EventBatch>* out,
                                                     const Clock& clock, Logger logger,
                                                     StartOffsetFn start_offset = nullptr);
  ~EventStream();
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  // Subscribes and starts the consumer thread ("bahed-consumer").
  Status start();
  // Stops the thread after its current message and hands the partial batch
  // downstream (waiting while the queue is full unless it is closed). The
  // consumer stays in the group, so commit() still works: the daemon drains
  // the pipeline, publishes a final version and commits its offsets before
  // stop(). Idempotent.
  void stop_consuming();
  // stop_consuming(), then closes the consumer (leaving the group) and
  // flushes the dead-letter producer. Idempotent.
  Status stop();

  // Commits, per partition, the next offset to read. Call only once
  // everything before it is durable downstream.
  Status commit(const std::vector<PartitionWatermark>& offsets);

  // Flushes the dead-letter producer: OK once every rejected message so far
  // is acknowledged by the broker; else Unavailable saying how many are not
  // (still in flight after timeout_ms, or refused). Thread-safe. The daemon
  // calls it before each version, so no version's offsets pass a rejected
  // event the dead-letter topic does not hold.
  Status flush_dead_letters(int timeout_ms);

  // OK while running; the reason if the thread stopped on a fatal error.
  Status health() const;
  const ConsumerMetrics& metrics() const;

 private:
  class Impl;
  explicit EventStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bahed::consumers
