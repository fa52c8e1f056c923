#include "daemon/ctl/topic_audit.h"

#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <memory>
#include <vector>

#include "daemon/ctl/topic_partitions.h"

namespace bahed::ctl {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<TopicAudit> audit_topic(const std::string& bootstrap, const consumers::KafkaProperties& properties,
                               const std::string& topic, const consumers::DecodeOptions& decode, int timeout_ms) {
  consumers::KafkaProperties props = properties;
  props["bootstrap.servers"] = bootstrap;
  props["group.id"] = "bahectl-audit";  // required by the consumer API; assign() joins no group
  props["enable.auto.commit"] = "false";
  props["enable.partition.eof"] = "true";
  BAHED_ASSIGN_OR_RETURN(auto conf, consumers::make_kafka_conf(props));
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer) return Status::invalid_argument("creating the Kafka consumer: " + err);
  BAHED_ASSIGN_OR_RETURN(std::vector<int32_t> partitions, topic_partitions(*consumer, topic, timeout_ms));

  TopicAudit audit;
  std::vector<RdKafka::TopicPartition*> assignment;
  for (int32_t p : partitions) {
    int64_t low = 0, high = 0;
    const RdKafka::ErrorCode code = consumer->query_watermark_offsets(topic, p, &low, &high, timeout_ms);
    if (code != RdKafka::ERR_NO_ERROR) {
      RdKafka::TopicPartition::destroy(assignment);
      return Status::unavailable("watermarks of partition " + std::to_string(p) + ": " + RdKafka::err2str(code));
    }
    audit.end_offsets[p] = high;
    if (high > low) assignment.push_back(RdKafka::TopicPartition::create(topic, p, low));
  }
  size_t n_open = assignment.size();
  const RdKafka::ErrorCode assigned = consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  if (assigned != RdKafka::ERR_NO_ERROR) return Status::unavailable(std::string("assign: ") + RdKafka::err2str(assigned));

  consumers::EventDecoder decoder(decode);
  std::map<int32_t, bool> done;
  auto last_progress = std::chrono::steady_clock::now();
  while (n_open > 0) {
    std::unique_ptr<RdKafka::Message> message(consumer->consume(100));
    const auto now = std::chrono::steady_clock::now();
    if (message->err() == RdKafka::ERR__TIMED_OUT) {
      if (now - last_progress > std::chrono::milliseconds(timeout_ms))
        return Status::timed_out("reading '" + topic + "' stalled for " + std::to_string(timeout_ms) + " ms");
      continue;
    }
    if (message->err() == RdKafka::ERR__PARTITION_EOF) continue;
    if (message->err() != RdKafka::ERR_NO_ERROR) return Status::unavailable("reading '" + topic + "': " + message->errstr());
    last_progress = now;
    const int32_t p = message->partition();
    if (message->offset() >= audit.end_offsets[p] || done[p]) continue;  // arrived after the start
    audit.n_messages += 1;
    const std::string_view key = message->key() ? std::string_view(*message->key()) : std::string_view();
    const std::string_view payload(static_cast<const char*>(message->payload()), message->len());
    Event event;
    if (decoder.decode(key, payload, now_ms(), &event).ok) {
      audit.user_events[event.user] += 1;
      audit.user_partition[event.user] = p;
      if (event.type == EventType::kImpression) audit.targets.add({p, message->offset()});
    } else {
      audit.n_rejected += 1;
    }
    if (message->offset() + 1 >= audit.end_offsets[p]) {
      done[p] = true;
      n_open -= 1;
    }
  }
  consumer->close();
  return audit;
}

}  // namespace bahed::ctl
