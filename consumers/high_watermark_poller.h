#pragma once
// HighWatermarkPoller: keeps ConsumerMetrics' per-partition high watermarks
// (the broker's end of each partition, for the lag) fresh from its own
// thread, so the consumer thread never waits on the broker for them.
//
// Why a thread of its own: a broker answers one request per connection at a
// time, and on a caught-up topic every Fetch is a long poll of up to
// fetch.wait.max.ms. An offsets request queued behind it waits that long;
// asked from the consumer thread, one partition at a time, 16 partitions
// took 6-8 s per refresh, during which nothing was consumed (the 10M-event
// soak's "stall": one event per ~7 s once the topic went quiet).
//
// One ListOffsets(LATEST) per refresh covers every partition (librdkafka
// sends one request per leader). A paused partition is not fetched, so the
// watermarks librdkafka caches from fetch responses would freeze exactly
// when the lag matters (a backlog behind the trainer): they are not used.
#include <librdkafka/rdkafkacpp.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/logger.h"
#include "consumers/consumer_metrics.h"

namespace bahed::consumers {

struct HighWatermarkPollerOptions {
  // Topic whose partitions are asked about. Default: "" (required).
  std::string topic;
  // Time between two refreshes. Default: 5000.
  int64_t refresh_ms = 5000;
  // Longest wait for one refresh's answers. Default: 5000.
  int timeout_ms = 5000;
};

class HighWatermarkPoller {
 public:
  // `consumer` and `metrics` must outlive the poller. The thread starts at once.
  HighWatermarkPoller(const HighWatermarkPollerOptions& options, RdKafka::KafkaConsumer* consumer,
                      ConsumerMetrics* metrics, Logger logger);
  ~HighWatermarkPoller();  // stops and joins the thread
  HighWatermarkPoller(const HighWatermarkPoller&) = delete;
  HighWatermarkPoller& operator=(const HighWatermarkPoller&) = delete;

  // The partitions this process holds now; called by the consumer thread on
  // every assignment change. Thread-safe.
  void set_partitions(std::vector<int32_t> partitions);
  // Stops and joins the thread (idempotent): call before the consumer closes.
  void stop();

 private:
  void run(std::stop_token stop);
  void refresh(const std::vector<int32_t>& partitions);

  const HighWatermarkPollerOptions options_;
  RdKafka::KafkaConsumer* const consumer_;
  ConsumerMetrics* const metrics_;
  Logger logger_;

  std::mutex mu_;
  std::condition_variable_any changed_;
  std::vector<int32_t> partitions_;  // guarded by mu_

  std::jthread thread_;
};

}  // namespace bahed::consumers
