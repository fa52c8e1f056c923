#include "daemon/daemon.h"

#include <pthread.h>

#include <fstream>

namespace bahed::daemon {

Daemon::Daemon(const DaemonConfig& config, const Clock& clock)
    : config_(config),
      clock_(clock),
      logger_(make_logger("daemon")),
      events_("events", static_cast<size_t>(config.runtime.events_queue_batches)) {}

Result<std::unique_ptr<Daemon>> Daemon::start(const DaemonConfig& config, const Clock& clock) {
  BAHED_RETURN_IF_ERROR(config.validate());
  std::unique_ptr<Daemon> d(new Daemon(config, clock));
  d->bootstrap_ = config.kafka.bootstrap;
  if (config.kafka.bootstrap == "embedded") {
    consumers::EmbeddedBrokerOptions broker_options;
    broker_options.topics = {config.stream.topic + ":" + std::to_string(config.kafka.embedded_partitions)};
    if (!config.stream.dead_letter_topic.empty()) broker_options.topics.push_back(config.stream.dead_letter_topic + ":1");
    BAHED_ASSIGN_OR_RETURN(d->broker_, consumers::EmbeddedBroker::start(broker_options));
    d->bootstrap_ = d->broker_->bootstrap_servers();
    d->logger_->info("embedded_broker_started bootstrap={} topic={} partitions={}", d->bootstrap_, config.stream.topic,
                     config.kafka.embedded_partitions);
    if (!config.kafka.embedded_address_file.empty()) {
      const std::string tmp = config.kafka.embedded_address_file + ".tmp";
      std::ofstream(tmp) << d->bootstrap_ << "\n";
      if (std::rename(tmp.c_str(), config.kafka.embedded_address_file.c_str()) != 0)
        return Status::io_error("writing kafka.embedded_address_file " + config.kafka.embedded_address_file);
    }
  }
  consumers::EventStreamOptions stream_options = config.stream;
  stream_options.bootstrap_servers = d->bootstrap_;
  BAHED_ASSIGN_OR_RETURN(d->stream_,
                         consumers::EventStream::create(stream_options, &d->events_, clock, make_logger("consumer")));
  d->drain_ = std::jthread([raw = d.get()](std::stop_token stop) { raw->drain_events(stop); });
  BAHED_RETURN_IF_ERROR(d->stream_->start());
  d->started_ms_ = d->last_progress_ms_ = d->last_activity_ms_ = clock.steady_ms();
  return d;
}

Daemon::~Daemon() {
  if (!stopped_) stop().ignore();  // backstop; main stops explicitly and reports
}

void Daemon::drain_events(std::stop_token stop) {
  pthread_setname_np(pthread_self(), "bahed-drain");
  while (true) {
    auto batch = events_.pop_for(std::chrono::milliseconds(100));
    if (batch) {
      events_drained_.fetch_add(batch->events.size(), std::memory_order_relaxed);
      continue;
    }
    if (events_.closed() || stop.stop_requested()) break;
  }
}

bool Daemon::should_stop() {
  if (!stream_->health().is_ok()) return true;
  const auto& m = stream_->metrics();
  const uint64_t consumed = m.messages_consumed.load();
  const int64_t now = clock_.steady_ms();
  // Idleness counts only while partitions are assigned: joining the group
  // (seconds on a fresh cluster) is not idleness.
  if (consumed != last_seen_consumed_ || m.partitions_assigned.load() == 0) {
    last_seen_consumed_ = consumed;
    last_activity_ms_ = now;
  }
  if (config_.runtime.stop_after_messages > 0 && consumed >= static_cast<uint64_t>(config_.runtime.stop_after_messages))
    return true;
  if (config_.runtime.stop_when_idle_s > 0 && now - last_activity_ms_ >= config_.runtime.stop_when_idle_s * 1000)
    return true;
  return false;
}

void Daemon::log_progress() {
  const auto& m = stream_->metrics();
  const int64_t now = clock_.steady_ms();
  const uint64_t consumed = m.messages_consumed.load();
  const double seconds = std::max<int64_t>(1, now - last_progress_ms_) / 1000.0;
  const double rate = (consumed - last_progress_consumed_) / seconds;
  last_progress_ms_ = now;
  last_progress_consumed_ = consumed;
  logger_->info(
      "progress consumed={} impressions={} behaviors={} rejected={} dead_lettered={} events_per_s={:.0f} lag={} "
      "partitions={} queue={}/{}",
      consumed, m.impressions_accepted.load(), m.behaviors_accepted.load(), m.total_rejected(),
      m.dead_letter_produced.load(), rate, m.total_lag(), m.partitions_assigned.load(), events_.size(),
      events_.capacity());
}

Status Daemon::stop() {
  if (stopped_) return Status::ok();
  stopped_ = true;
  Status result = stream_->health();
  const Status stream_stopped = stream_->stop();
  if (result.is_ok()) result = stream_stopped;
  events_.close();
  if (drain_.joinable()) {
    drain_.request_stop();
    drain_.join();
  }
  const auto& m = stream_->metrics();
  std::string reasons;
  for (size_t i = 0; i < consumers::kNumRejectReasons; ++i) {
    const uint64_t n = m.rejected[i].load();
    if (n) reasons += " " + std::string(consumers::reject_reason_name(static_cast<consumers::RejectReason>(i))) + "=" + std::to_string(n);
  }
  const double seconds = std::max<int64_t>(1, clock_.steady_ms() - started_ms_) / 1000.0;
  logger_->info("summary consumed={} impressions={} behaviors={} rejected={} dead_lettered={} dead_letter_failed={} "
                "kafka_errors={} pauses={} seconds={:.1f} events_per_s={:.0f}{}{}",
                m.messages_consumed.load(), m.impressions_accepted.load(), m.behaviors_accepted.load(),
                m.total_rejected(), m.dead_letter_produced.load(), m.dead_letter_failed.load(), m.kafka_errors.load(),
                m.pauses.load(), seconds, m.messages_consumed.load() / seconds, reasons.empty() ? "" : " by_reason:",
                reasons);
  return result;
}

}  // namespace bahed::daemon
