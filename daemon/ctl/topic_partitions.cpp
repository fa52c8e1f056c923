#include "daemon/ctl/topic_partitions.h"

#include <memory>

namespace bahed::ctl {

Result<std::vector<int32_t>> topic_partitions(RdKafka::Handle& client, const std::string& topic, int timeout_ms) {
  std::string err;
  std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(&client, topic, nullptr, err));
  if (!handle) return Status::invalid_argument("topic '" + topic + "': " + err);
  RdKafka::Metadata* raw = nullptr;
  const RdKafka::ErrorCode code = client.metadata(false, handle.get(), &raw, timeout_ms);
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (code != RdKafka::ERR_NO_ERROR) return Status::unavailable("metadata of '" + topic + "': " + RdKafka::err2str(code));
  std::vector<int32_t> out;
  for (const RdKafka::TopicMetadata* t : *metadata->topics()) {
    if (t->topic() != topic) continue;
    if (t->err() != RdKafka::ERR_NO_ERROR) return Status::not_found("topic '" + topic + "': " + RdKafka::err2str(t->err()));
    for (const RdKafka::PartitionMetadata* p : *t->partitions()) out.push_back(p->id());
  }
  if (out.empty()) return Status::not_found("topic '" + topic + "' has no partitions");
  return out;
}

}  // namespace bahed::ctl
