#pragma once
// The consumer stage's metrics, declared in one block. Written by the
// consumer thread, read by anyone (admin HTTP, progress lines).
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>

#include "consumers/reject_reason.h"

namespace bahed::consumers {

struct PartitionProgress {
  int64_t next_offset = -1;     // next offset this process will read
  int64_t high_watermark = -1;  // broker's end of the partition, last seen
  int64_t lag() const { return next_offset >= 0 && high_watermark >= 0 ? high_watermark - next_offset : -1; }
};

struct ConsumerMetrics {
  std::atomic<uint64_t> messages_consumed{0};
  std::atomic<uint64_t> impressions_accepted{0};
  std::atomic<uint64_t> behaviors_accepted{0};
  std::array<std::atomic<uint64_t>, kNumRejectReasons> rejected{};
  std::atomic<uint64_t> dead_letter_produced{0};   // enqueued to the dead-letter topic
  std::atomic<uint64_t> dead_letter_failed{0};     // could not even be enqueued
  std::atomic<uint64_t> kafka_errors{0};           // transient consumer errors
  std::atomic<uint64_t> pauses{0};                 // times back-pressure paused the partitions
  // Offsets jumped over: the broker no longer held them when this process
  // asked (retention deleted them before they were consumed, so they are
  // lost to training), or transaction markers (one per transaction).
  std::atomic<uint64_t> offsets_skipped{0};
  std::atomic<uint64_t> batches_delivered{0};
  std::atomic<int64_t> partitions_assigned{0};

  uint64_t total_rejected() const {
    uint64_t n = 0;
    for (const auto& r : rejected) n += r.load(std::memory_order_relaxed);
    return n;
  }

  mutable std::mutex partitions_mu;
  std::map<int32_t, PartitionProgress> partitions;  // guarded by partitions_mu

  std::map<int32_t, PartitionProgress> partitions_snapshot() const {
    std::lock_guard lock(partitions_mu);
    return partitions;
  }
  int64_t total_lag() const {
    std::lock_guard lock(partitions_mu);
    int64_t lag = 0;
    for (const auto& [p, progress] : partitions) lag += std::max<int64_t>(0, progress.lag());
    return lag;
  }
};

}  // namespace bahed::consumers
