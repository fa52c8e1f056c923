#pragma once
// GroupLag: how far a consumer group's committed offsets are behind the end
// of a topic, per partition, read from the cluster the way Kafka's own
// kafka-consumer-groups --describe does (committed offsets + high
// watermarks). `bahectl replay --max-lag` uses it to produce as fast as the
// group consumes without outrunning the topic's retention.
#include <librdkafka/rdkafkacpp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "consumers/kafka_config.h"

namespace bahed::ctl {

struct GroupLagReading {
  std::map<int32_t, int64_t> lag;  // partition -> end offset minus the committed one
  int64_t total = 0;
  int64_t max_partition = 0;
};

class GroupLag {
 public:
  // Joins no group: the handle only reads the group's committed offsets.
  static Result<std::unique_ptr<GroupLag>> create(const std::string& bootstrap,
                                                  const consumers::KafkaProperties& properties,
                                                  const std::string& topic, const std::string& group, int timeout_ms);
  // A partition the group never committed counts from its low watermark
  // (where a group starting "earliest" begins). Unavailable when the
  // cluster does not answer within the timeout.
  Result<GroupLagReading> read();

 private:
  GroupLag() = default;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::string topic_;
  std::vector<int32_t> partitions_;
  int timeout_ms_ = 0;
};

}  // namespace bahed::ctl
