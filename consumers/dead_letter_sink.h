#pragma once
// DeadLetterSink: sends a rejected message to the dead-letter topic with
// why and where from in headers:
//   bahed.reason            stable reason name (see reject_reason.h)
//   bahed.detail            which field and what was wrong
//   bahed.source.topic / bahed.source.partition / bahed.source.offset
//   bahed.payload_bytes     the message's size
//   bahed.truncated         "true" when only the first max_payload_bytes
//                           travel (the whole message stays at its source)
// so an operator can fix and re-produce it. The payload is otherwise
// unchanged. Not thread-safe beyond what KafkaProducer offers; the
// consumer thread sends, the daemon flushes under the stream's lock.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "consumers/kafka_producer.h"
#include "consumers/reject_reason.h"

namespace bahed::consumers {

struct DeadLetter {
  std::string_view key;
  std::string_view payload;
  RejectReason reason;
  std::string_view detail;
  std::string_view source_topic;
  int32_t source_partition;
  int64_t source_offset;
};

class DeadLetterSink {
 public:
  DeadLetterSink(std::unique_ptr<KafkaProducer> producer, std::string topic, int64_t max_payload_bytes)
      : producer_(std::move(producer)), topic_(std::move(topic)), max_payload_bytes_(max_payload_bytes) {}

  // Enqueues the letter; an error when the producer refuses it at once.
  Status send(const DeadLetter& letter);
  // Waits until every letter sent is acknowledged; Unavailable naming how
  // many are still in flight or were refused by the broker, ever.
  Status flush(int timeout_ms);
  void poll() { producer_->poll(0); }
  const std::string& topic() const { return topic_; }

 private:
  std::unique_ptr<KafkaProducer> producer_;
  std::string topic_;
  int64_t max_payload_bytes_;
};

}  // namespace bahed::consumers
