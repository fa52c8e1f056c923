#include "consumers/event_stream.h"

#include <librdkafka/rdkafkacpp.h>
#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <mutex>
#include <thread>

#include "consumers/dead_letter_sink.h"
#include "consumers/high_watermark_poller.h"

namespace bahed::consumers {

namespace {

void destroy_partitions(std::vector<RdKafka::TopicPartition*>& partitions) {
  RdKafka::TopicPartition::destroy(partitions);
  partitions.clear();
}

}  // namespace

class EventStream::Impl {
 public:
  Impl(const EventStreamOptions& options, BoundedQueue<EventBatch>* out, const Clock& clock, Logger logger,
       StartOffsetFn start_offset)
      : options_(options),
        out_(out),
        clock_(clock),
        logger_(std::move(logger)),
        decoder_(options.decode),
        rebalance_(this),
        events_(this),
        start_offset_(std::move(start_offset)) {}

  Status init();
  Status start();
  void stop_consuming();
  Status stop();
  Status commit(const std::vector<PartitionWatermark>& offsets);
  Status flush_dead_letters(int timeout_ms) {
    if (!dead_letters_) return Status::ok();
    std::lock_guard lock(dead_letter_mu_);
    // A letter the producer refused at once is as lost as one the broker
    // refused: either way its event must be read again (from the last
    // version's offsets), so no later version may pass it.
    if (const uint64_t refused = metrics_.dead_letter_failed.load(); refused > 0) {
      return Status::unavailable("dead-letter topic '" + dead_letters_->topic() + "': " + std::to_string(refused) +
                                 " rejected messages could not be enqueued (see the dead_letter_failed log lines)");
    }
    return dead_letters_->flush(timeout_ms);
  }
  Status health() const {
    std::lock_guard lock(health_mu_);
    return health_;
  }
  const ConsumerMetrics& metrics() const { return metrics_; }

 private:
  class Rebalance : public RdKafka::RebalanceCb {
   public:
    explicit Rebalance(Impl* impl) : impl_(impl) {}
    void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                      std::vector<RdKafka::TopicPartition*>& partitions) override {
      impl_->on_rebalance(consumer, err, partitions);
    }

   private:
    Impl* impl_;
  };
  class Events : public RdKafka::EventCb {
   public:
    explicit Events(Impl* impl) : impl_(impl) {}
    void event_cb(RdKafka::Event& event) override { impl_->on_event(event); }

   private:
    Impl* impl_;
  };

  void run(std::stop_token stop);
  void handle_message(const RdKafka::Message& message);
  void deliver_batch(const std::stop_token& stop, bool final_flush);
  void pause_all();
  void resume_all();
  // Tells the lag poller what this process holds now (consumer thread).
  void publish_assignment();
  // Static share (options_.share_count > 0): the topic's partition count,
  // then assign() of this share.
  Result<int32_t> count_partitions();
  Status assign_share();
  void on_rebalance(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions);
  void on_event(RdKafka::Event& event);
  void set_fatal(Status status) {
    std::lock_guard lock(health_mu_);
    if (health_.is_ok()) health_ = std::move(status);
  }

  const EventStreamOptions options_;
  BoundedQueue<EventBatch>* const out_;
  const Clock& clock_;
  Logger logger_;
  EventDecoder decoder_;
  ConsumerMetrics metrics_;

  // Callbacks are declared before the handles so they outlive them.
  Rebalance rebalance_;
  Events events_;
  StartOffsetFn start_offset_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::unique_ptr<HighWatermarkPoller> lag_poller_;  // declared after consumer_: stops before it is destroyed
  std::mutex dead_letter_mu_;
  std::unique_ptr<DeadLetterSink> dead_letters_;  // guarded by dead_letter_mu_ for flush vs send

  // Consumer-thread state.
  EventBatch batch_;
  std::map<int32_t, int64_t> batch_watermarks_;
  int64_t batch_started_ms_ = 0;
  bool paused_ = false;
  std::vector<int32_t> assigned_;  // touched only from consume() callbacks, i.e. the consumer thread
  std::map<int32_t, int64_t> position_;  // partition -> next offset after the last message read; consumer thread
  std::map<int32_t, int64_t> expected_;  // partition -> offset the next message must have, when known; consumer thread

  mutable std::mutex health_mu_;
  Status health_;  // guarded by health_mu_

  std::jthread thread_;
  bool started_ = false;
  bool stopped_ = false;
};

Status EventStream::Impl::init() {
  KafkaProperties props = options_.properties;
  props["bootstrap.servers"] = options_.bootstrap_servers;
  props["group.id"] = options_.group_id;
  props["enable.auto.commit"] = "false";        // offsets commit only after a durable checkpoint
  props["enable.auto.offset.store"] = "false";
  props["auto.offset.reset"] = options_.auto_offset_reset;
  BAHED_ASSIGN_OR_RETURN(auto conf, make_kafka_conf(props));
  std::string err;
  if (conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(&rebalance_), err) != RdKafka::Conf::CONF_OK)
    return Status::internal("rebalance_cb: " + err);
  if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(&events_), err) != RdKafka::Conf::CONF_OK)
    return Status::internal("event_cb: " + err);
  consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer_) return Status::invalid_argument("creating the Kafka consumer: " + err);
  lag_poller_ = std::make_unique<HighWatermarkPoller>(
      HighWatermarkPollerOptions{.topic = options_.topic, .refresh_ms = options_.lag_refresh_ms}, consumer_.get(),
      &metrics_, logger_);

  if (!options_.dead_letter_topic.empty()) {
    // The dead-letter producer shares the pass-through properties (security)
    // but none of the consumer's.
    KafkaProperties producer_props = options_.properties;
    BAHED_ASSIGN_OR_RETURN(auto producer, KafkaProducer::create(options_.bootstrap_servers, producer_props, true));
    dead_letters_ = std::make_unique<DeadLetterSink>(std::move(producer), options_.dead_letter_topic,
                                                     options_.dead_letter_max_payload_bytes);
  }
  return Status::ok();
}

Result<int32_t> EventStream::Impl::count_partitions() {
  std::string err;
  std::unique_ptr<RdKafka::Topic> topic(RdKafka::Topic::create(consumer_.get(), options_.topic, nullptr, err));
  if (!topic) return Status::invalid_argument("topic handle for '" + options_.topic + "': " + err);
  // The topic may still be being created: ask again for a while.
  const int64_t deadline = clock_.steady_ms() + 30000;
  std::string last_error = "no metadata";
  do {
    RdKafka::Metadata* raw = nullptr;
    const RdKafka::ErrorCode code = consumer_->metadata(false, topic.get(), &raw, 5000);
    std::unique_ptr<RdKafka::Metadata> metadata(raw);
    if (code == RdKafka::ERR_NO_ERROR) {
      for (const RdKafka::TopicMetadata* t : *metadata->topics()) {
        if (t->topic() == options_.topic && t->err() == RdKafka::ERR_NO_ERROR && !t->partitions()->empty()) {
          return static_cast<int32_t>(t->partitions()->size());
        }
        if (t->topic() == options_.topic) last_error = RdKafka::err2str(t->err());
      }
    } else {
      last_error = RdKafka::err2str(code);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  } while (clock_.steady_ms() < deadline);
  return Status::unavailable("no partitions for topic '" + options_.topic + "' after 30 s: " + last_error);
}

Status EventStream::Impl::assign_share() {
  BAHED_ASSIGN_OR_RETURN(const int32_t n_partitions, count_partitions());
  std::vector<RdKafka::TopicPartition*> partitions;
  std::string names;
  for (int32_t p = 0; p < n_partitions; ++p) {
    if (p % options_.share_count != options_.share_index) continue;
    // Known start (a restored version's offset), else the group's
    // committed offset, else auto_offset_reset.
    std::optional<int64_t> start;
    if (start_offset_) start = start_offset_(p);
    partitions.push_back(RdKafka::TopicPartition::create(options_.topic, p, start.value_or(RdKafka::Topic::OFFSET_STORED)));
    if (start) expected_[p] = *start;
    assigned_.push_back(p);
    names += (names.empty() ? "" : ",") + std::to_string(p);
  }
  const RdKafka::ErrorCode err = consumer_->assign(partitions);
  destroy_partitions(partitions);
  if (err != RdKafka::ERR_NO_ERROR) return Status::unavailable("assigning partitions " + names + ": " + RdKafka::err2str(err));
  publish_assignment();
  logger_->info("partitions_assigned partitions={} protocol=static share={}/{} of {}", names.empty() ? "(none)" : names,
                options_.share_index, options_.share_count, n_partitions);
  return Status::ok();
}

Status EventStream::Impl::start() {
  if (started_) return Status::ok();
  if (options_.share_count > 0) {
    BAHED_RETURN_IF_ERROR(assign_share());
  } else {
    const RdKafka::ErrorCode err = consumer_->subscribe({options_.topic});
    if (err != RdKafka::ERR_NO_ERROR)
      return Status::unavailable("subscribing to '" + options_.topic + "': " + RdKafka::err2str(err));
  }
  started_ = true;
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
  logger_->info("consumer_started topic={} group={} dead_letter_topic={}", options_.topic, options_.group_id,
                options_.dead_letter_topic.empty() ? "(none)" : options_.dead_letter_topic);
  return Status::ok();
}

void EventStream::Impl::run(std::stop_token stop) {
  pthread_setname_np(pthread_self(), "bahed-consumer");
  while (!stop.stop_requested()) {
    std::unique_ptr<RdKafka::Message> message(consumer_->consume(static_cast<int>(options_.poll_timeout_ms)));
    switch (message->err()) {
      case RdKafka::ERR_NO_ERROR:
        handle_message(*message);
        break;
      case RdKafka::ERR__TIMED_OUT:
      case RdKafka::ERR__PARTITION_EOF:
        break;  // nothing to read is not an error
      default:
        metrics_.kafka_errors.fetch_add(1, std::memory_order_relaxed);
        logger_->warn("consumer_error error={} detail=\"{}\"", RdKafka::err2str(message->err()), message->errstr());
        break;
    }
    {
      std::lock_guard lock(dead_letter_mu_);
      if (dead_letters_) dead_letters_->poll();
    }
    const int64_t now = clock_.steady_ms();
    const bool full = static_cast<int64_t>(batch_.events.size()) >= options_.max_batch_events;
    const bool waited = !batch_watermarks_.empty() && now - batch_started_ms_ >= options_.max_batch_wait_ms;
    if (full || waited) deliver_batch(stop, false);
    if (!health().is_ok()) break;
  }
  if (!batch_watermarks_.empty()) deliver_batch(stop, true);
}

void EventStream::Impl::handle_message(const RdKafka::Message& message) {
  metrics_.messages_consumed.fetch_add(1, std::memory_order_relaxed);
  const std::string_view key = message.key() ? std::string_view(*message.key()) : std::string_view();
  const std::string_view payload(static_cast<const char*>(message.payload()), message.len());
  if (batch_watermarks_.empty()) batch_started_ms_ = clock_.steady_ms();
  batch_watermarks_[message.partition()] = message.offset() + 1;
  if (auto expected = expected_.find(message.partition());
      expected != expected_.end() && message.offset() > expected->second) {
    const int64_t skipped = message.offset() - expected->second;
    metrics_.offsets_skipped.fetch_add(static_cast<uint64_t>(skipped), std::memory_order_relaxed);
    logger_->error("offsets_skipped partition={} from={} to={} count={} reason=\"the broker no longer holds them: "
                   "retention deleted them before they were consumed (or transaction markers)\"",
                   message.partition(), expected->second, message.offset(), skipped);
  }
  expected_[message.partition()] = message.offset() + 1;
  position_[message.partition()] = message.offset() + 1;

  Event event;
  const DecodeOutcome outcome = decoder_.decode(key, payload, clock_.now_ms(), &event);
  if (outcome.ok) {
    event.source = {message.partition(), message.offset()};
    (event.type == EventType::kImpression ? metrics_.impressions_accepted : metrics_.behaviors_accepted)
        .fetch_add(1, std::memory_order_relaxed);
    batch_.events.push_back(std::move(event));
    return;
  }
  metrics_.rejected[static_cast<size_t>(outcome.reason)].fetch_add(1, std::memory_order_relaxed);
  logger_->debug("event_rejected partition={} offset={} reason={} detail=\"{}\"", message.partition(),
                 message.offset(), reject_reason_name(outcome.reason), outcome.detail);
  if (!dead_letters_) return;
  std::lock_guard lock(dead_letter_mu_);
  const Status sent = dead_letters_->send({key, payload, outcome.reason, outcome.detail, options_.topic,
                                           message.partition(), message.offset()});
  if (sent.is_ok()) {
    metrics_.dead_letter_produced.fetch_add(1, std::memory_order_relaxed);
  } else {
    metrics_.dead_letter_failed.fetch_add(1, std::memory_order_relaxed);
    logger_->warn("dead_letter_failed partition={} offset={} error=\"{}\"", message.partition(), message.offset(),
                  sent.to_string());
  }
}

void EventStream::Impl::deliver_batch(const std::stop_token& stop, bool final_flush) {
  for (const auto& [partition, next] : batch_watermarks_) batch_.consumed_through.push_back({partition, next});
  {
    std::lock_guard lock(metrics_.partitions_mu);
    for (const auto& [partition, next] : batch_watermarks_) metrics_.partitions[partition].next_offset = next;
  }
  // Back-pressure: while downstream is full, pause fetching but keep calling
  // consume() so the group's session and poll intervals are honoured.
  while (!out_->try_push_for(batch_, std::chrono::milliseconds(final_flush ? 100 : 0))) {
    if (out_->closed()) break;
    if (!final_flush && stop.stop_requested()) {
      // Keep the batch for the final flush after the loop ends.
      batch_.consumed_through.clear();
      return;
    }
    if (!paused_) pause_all();
    std::unique_ptr<RdKafka::Message> message(consumer_->consume(static_cast<int>(options_.poll_timeout_ms)));
    if (message->err() == RdKafka::ERR_NO_ERROR) {
      // Fetched before the pause took hold: keep it, in order, in this batch.
      handle_message(*message);
      batch_.consumed_through.clear();
      for (const auto& [partition, next] : batch_watermarks_) batch_.consumed_through.push_back({partition, next});
    }
  }
  if (paused_) resume_all();
  metrics_.batches_delivered.fetch_add(1, std::memory_order_relaxed);
  batch_ = EventBatch{};
  batch_watermarks_.clear();
}

void EventStream::Impl::pause_all() {
  std::vector<RdKafka::TopicPartition*> partitions;
  for (int32_t p : assigned_) partitions.push_back(RdKafka::TopicPartition::create(options_.topic, p));
  if (consumer_->pause(partitions) == RdKafka::ERR_NO_ERROR) {
    paused_ = true;
    metrics_.pauses.fetch_add(1, std::memory_order_relaxed);
    logger_->debug("consumer_paused partitions={}", partitions.size());
  }
  destroy_partitions(partitions);
}

void EventStream::Impl::resume_all() {
  std::vector<RdKafka::TopicPartition*> partitions;
  for (int32_t p : assigned_) partitions.push_back(RdKafka::TopicPartition::create(options_.topic, p));
  if (consumer_->resume(partitions) == RdKafka::ERR_NO_ERROR) paused_ = false;
  destroy_partitions(partitions);
}

void EventStream::Impl::publish_assignment() {
  metrics_.partitions_assigned.store(static_cast<int64_t>(assigned_.size()));
  {
    // A partition moved to another member is its lag now, not ours: a frozen
    // reading would count forever.
    std::lock_guard lock(metrics_.partitions_mu);
    std::erase_if(metrics_.partitions,
                  [&](const auto& entry) { return std::find(assigned_.begin(), assigned_.end(), entry.first) == assigned_.end(); });
  }
  lag_poller_->set_partitions(assigned_);
}

void EventStream::Impl::on_rebalance(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                                     std::vector<RdKafka::TopicPartition*>& partitions) {
  const bool cooperative = consumer->rebalance_protocol() == "COOPERATIVE";
  std::string names;
  for (auto* tp : partitions) names += (names.empty() ? "" : ",") + std::to_string(tp->partition());
  if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
    for (auto* tp : partitions) {
      // A partition this process read before (revoked and assigned back)
      // continues after the last message it handed on: everything before
      // is already downstream and will be trained, so neither the start
      // offset nor the committed one (older) may apply again.
      if (auto it = position_.find(tp->partition()); it != position_.end()) {
        tp->set_offset(it->second);
      } else if (start_offset_) {
        if (auto offset = start_offset_(tp->partition())) tp->set_offset(*offset);
      }
      // Where the next message must be; a later one means offsets were
      // skipped. Unknown (the group's committed offset) until one arrives.
      if (tp->offset() >= 0) {
        expected_[tp->partition()] = tp->offset();
      } else {
        expected_.erase(tp->partition());
      }
      assigned_.push_back(tp->partition());
    }
    bool ok;
    if (cooperative) {
      std::unique_ptr<RdKafka::Error> error(consumer->incremental_assign(partitions));
      ok = !error;
    } else {
      ok = consumer->assign(partitions) == RdKafka::ERR_NO_ERROR;
    }
    if (!ok) {
      metrics_.kafka_errors.fetch_add(1, std::memory_order_relaxed);
      logger_->warn("assign_failed partitions={}", names);
    }
    if (paused_) pause_all();  // newly assigned partitions obey the current back-pressure
    logger_->info("partitions_assigned partitions={} protocol={}", names, cooperative ? "cooperative" : "eager");
  } else {
    // Revoked, or an unknown rebalance error: give everything up, as the
    // librdkafka examples do, so the group can move on.
    for (auto* tp : partitions) std::erase(assigned_, tp->partition());
    if (err != RdKafka::ERR__REVOKE_PARTITIONS) {
      assigned_.clear();
      logger_->warn("rebalance_error error={}", RdKafka::err2str(err));
    }
    if (cooperative) {
      std::unique_ptr<RdKafka::Error> error(consumer->incremental_unassign(partitions));
    } else {
      consumer->unassign();
    }
    logger_->info("partitions_revoked partitions={}", names);
  }
  publish_assignment();
}

void EventStream::Impl::on_event(RdKafka::Event& event) {
  switch (event.type()) {
    case RdKafka::Event::EVENT_ERROR:
      if (event.fatal()) {
        logger_->error("kafka_fatal error={} detail=\"{}\"", RdKafka::err2str(event.err()), event.str());
        set_fatal(Status::unavailable("Kafka fatal error: " + event.str()));
      } else {
        metrics_.kafka_errors.fetch_add(1, std::memory_order_relaxed);
        logger_->warn("kafka_error error={} detail=\"{}\"", RdKafka::err2str(event.err()), event.str());
      }
      break;
    case RdKafka::Event::EVENT_LOG:
      if (event.severity() <= RdKafka::Event::EVENT_SEVERITY_WARNING)
        logger_->warn("kafka_log facility={} detail=\"{}\"", event.fac(), event.str());
      break;
    default:
      break;
  }
}

void EventStream::Impl::stop_consuming() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

Status EventStream::Impl::stop() {
  if (stopped_) return Status::ok();
  stopped_ = true;
  stop_consuming();
  if (lag_poller_) lag_poller_->stop();  // its queries use the consumer handle
  Status result = Status::ok();
  if (consumer_) {
    const RdKafka::ErrorCode err = consumer_->close();
    if (err != RdKafka::ERR_NO_ERROR) result = Status::unavailable(std::string("closing the consumer: ") + RdKafka::err2str(err));
  }
  if (dead_letters_) {
    const Status flushed = flush_dead_letters(10000);
    if (!flushed.is_ok() && result.is_ok()) result = flushed;
  }
  logger_->info("consumer_stopped consumed={} rejected={}", metrics_.messages_consumed.load(), metrics_.total_rejected());
  return result;
}

Status EventStream::Impl::commit(const std::vector<PartitionWatermark>& offsets) {
  std::vector<RdKafka::TopicPartition*> partitions;
  for (const auto& w : offsets) partitions.push_back(RdKafka::TopicPartition::create(options_.topic, w.partition, w.next_offset));
  const RdKafka::ErrorCode err = consumer_->commitSync(partitions);
  destroy_partitions(partitions);
  if (err != RdKafka::ERR_NO_ERROR) return Status::unavailable(std::string("committing offsets: ") + RdKafka::err2str(err));
  return Status::ok();
}

Result<std::unique_ptr<EventStream>> EventStream::create(const EventStreamOptions& options,
                                                         BoundedQueue<EventBatch>* out, const Clock& clock,
                                                         Logger logger, StartOffsetFn start_offset) {
  BAHED_RETURN_IF_ERROR(options.validate());
  auto impl = std::make_unique<Impl>(options, out, clock, std::move(logger), std::move(start_offset));
  BAHED_RETURN_IF_ERROR(impl->init());
  return std::unique_ptr<EventStream>(new EventStream(std::move(impl)));
}

EventStream::EventStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EventStream::~EventStream() {
  if (impl_) impl_->stop().ignore();  // backstop; the daemon stops explicitly and checks
}
Status EventStream::start() { return impl_->start(); }
void EventStream::stop_consuming() { impl_->stop_consuming(); }
Status EventStream::stop() { return impl_->stop(); }
Status EventStream::commit(const std::vector<PartitionWatermark>& offsets) { return impl_->commit(offsets); }
Status EventStream::flush_dead_letters(int timeout_ms) { return impl_->flush_dead_letters(timeout_ms); }
Status EventStream::health() const { return impl_->health(); }
const ConsumerMetrics& EventStream::metrics() const { return impl_->metrics(); }

}  // namespace bahed::consumers
