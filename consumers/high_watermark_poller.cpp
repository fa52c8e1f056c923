#include "consumers/high_watermark_poller.h"

#include <pthread.h>

#include <chrono>
#include <map>

namespace bahed::consumers {

HighWatermarkPoller::HighWatermarkPoller(const HighWatermarkPollerOptions& options, RdKafka::KafkaConsumer* consumer,
                                         ConsumerMetrics* metrics, Logger logger)
    : options_(options), consumer_(consumer), metrics_(metrics), logger_(std::move(logger)) {
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

HighWatermarkPoller::~HighWatermarkPoller() { stop(); }

void HighWatermarkPoller::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  thread_.join();
}

void HighWatermarkPoller::set_partitions(std::vector<int32_t> partitions) {
  {
    std::lock_guard lock(mu_);
    partitions_ = std::move(partitions);
  }
  changed_.notify_all();  // a new assignment gets its lag without waiting a whole period
}

void HighWatermarkPoller::run(std::stop_token stop) {
  pthread_setname_np(pthread_self(), "bahed-lag");
  std::unique_lock lock(mu_);
  while (!stop.stop_requested()) {
    const std::vector<int32_t> partitions = partitions_;
    lock.unlock();
    if (!partitions.empty()) refresh(partitions);
    lock.lock();
    // Woken early by a new assignment or by stop(); otherwise one period.
    changed_.wait_for(lock, stop, std::chrono::milliseconds(options_.refresh_ms),
                      [&] { return partitions_ != partitions; });
  }
}

void HighWatermarkPoller::refresh(const std::vector<int32_t>& partitions) {
  std::vector<RdKafka::TopicPartition*> query;
  for (int32_t p : partitions)
    query.push_back(RdKafka::TopicPartition::create(options_.topic, p, RdKafka::Topic::OFFSET_END));
  // offsetsForTimes with OFFSET_END (-1) is ListOffsets(LATEST): the log end
  // offset, i.e. the high watermark a read_uncommitted consumer reads up to.
  const RdKafka::ErrorCode err = consumer_->offsetsForTimes(query, options_.timeout_ms);
  std::map<int32_t, int64_t> highs;
  if (err == RdKafka::ERR_NO_ERROR) {
    for (const auto* tp : query)
      if (tp->err() == RdKafka::ERR_NO_ERROR && tp->offset() >= 0) highs[tp->partition()] = tp->offset();
  } else {
    // The lag keeps its last reading; the next period asks again.
    logger_->debug("high_watermarks_unavailable error={}", RdKafka::err2str(err));
  }
  RdKafka::TopicPartition::destroy(query);
  std::lock_guard lock(metrics_->partitions_mu);
  for (const auto& [p, high] : highs) metrics_->partitions[p].high_watermark = high;
}

}  // namespace bahed::consumers
