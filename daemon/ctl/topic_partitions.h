#pragma once
// The partition ids of a topic, from the cluster's metadata.
#include <librdkafka/rdkafkacpp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace bahed::ctl {

// NotFound when the topic does not exist or has no partitions; Unavailable
// when the cluster does not answer within timeout_ms.
Result<std::vector<int32_t>> topic_partitions(RdKafka::Handle& client, const std::string& topic, int timeout_ms);

}  // namespace bahed::ctl
