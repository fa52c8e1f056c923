#pragma once
// Reading a whole topic once, as the daemon would decode it, to know what a
// model trained on all of it must have trained: every accepted impression
// (TargetAudit) and how many accepted events each user has (what its
// history must hold). Reads every partition from its low to its high
// watermark as of the start; later messages are not read.
#include <cstdint>
#include <map>
#include <string>

#include "common/result.h"
#include "common/target_audit.h"
#include "consumers/event_decoder.h"
#include "consumers/kafka_config.h"

namespace bahed::ctl {

struct TopicAudit {
  TargetAudit targets;                      // accepted impressions
  std::map<std::string, int64_t> user_events;  // accepted events per user
  std::map<std::string, int32_t> user_partition;  // where each user's events are (the key decides)
  std::map<int32_t, int64_t> end_offsets;   // partition -> high watermark read up to
  int64_t n_messages = 0;
  int64_t n_rejected = 0;
};

// Assigns the partitions directly (no group, nothing committed). Unavailable
// when the broker does not answer within timeout_ms for metadata or a
// partition's watermarks; TimedOut when reading stalls that long.
Result<TopicAudit> audit_topic(const std::string& bootstrap, const consumers::KafkaProperties& properties,
                               const std::string& topic, const consumers::DecodeOptions& decode, int timeout_ms);

}  // namespace bahed::ctl
