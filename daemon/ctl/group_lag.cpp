#include "daemon/ctl/group_lag.h"

#include <algorithm>

#include "daemon/ctl/topic_partitions.h"

namespace bahed::ctl {

Result<std::unique_ptr<GroupLag>> GroupLag::create(const std::string& bootstrap,
                                                   const consumers::KafkaProperties& properties,
                                                   const std::string& topic, const std::string& group,
                                                   int timeout_ms) {
  consumers::KafkaProperties props = properties;
  props["bootstrap.servers"] = bootstrap;
  props["group.id"] = group;  // committed() asks this group's coordinator; without subscribe() nothing joins
  props["enable.auto.commit"] = "false";
  BAHED_ASSIGN_OR_RETURN(auto conf, consumers::make_kafka_conf(props));
  std::string err;
  std::unique_ptr<GroupLag> lag(new GroupLag());
  lag->consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!lag->consumer_) return Status::invalid_argument("creating the Kafka consumer: " + err);
  BAHED_ASSIGN_OR_RETURN(lag->partitions_, topic_partitions(*lag->consumer_, topic, timeout_ms));
  lag->topic_ = topic;
  lag->timeout_ms_ = timeout_ms;
  return lag;
}

Result<GroupLagReading> GroupLag::read() {
  std::vector<RdKafka::TopicPartition*> committed;
  for (int32_t p : partitions_) committed.push_back(RdKafka::TopicPartition::create(topic_, p));
  const RdKafka::ErrorCode code = consumer_->committed(committed, timeout_ms_);
  GroupLagReading reading;
  Status status;
  if (code != RdKafka::ERR_NO_ERROR) status = Status::unavailable(std::string("committed offsets: ") + RdKafka::err2str(code));
  for (size_t i = 0; status.is_ok() && i < committed.size(); ++i) {
    const RdKafka::TopicPartition* tp = committed[i];
    int64_t low = 0, high = 0;
    const RdKafka::ErrorCode wm = consumer_->query_watermark_offsets(topic_, tp->partition(), &low, &high, timeout_ms_);
    if (wm != RdKafka::ERR_NO_ERROR) {
      status = Status::unavailable("watermarks of partition " + std::to_string(tp->partition()) + ": " + RdKafka::err2str(wm));
      break;
    }
    const int64_t from = tp->offset() >= 0 ? std::max(tp->offset(), low) : low;
    const int64_t lag = std::max<int64_t>(0, high - from);
    reading.lag[tp->partition()] = lag;
    reading.total += lag;
    reading.max_partition = std::max(reading.max_partition, lag);
  }
  RdKafka::TopicPartition::destroy(committed);
  if (!status.is_ok()) return status;
  return reading;
}

}  // namespace bahed::ctl
