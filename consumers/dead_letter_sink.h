#pragma once
// DeadLetterSink: sends a rejected message, unchanged, to the dead-letter
// topic with why and where from in headers:
//   bahed.reason            stable reason name (see reject_reason.h)
//   bahed.detail            which field and what was wrong
//   bahed.source.topic / bahed.source.partition / bahed.source.offset
// so an operator can fix and re-produce it. Not thread-safe beyond what
// KafkaProducer offers; the consumer thread owns it.
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
  DeadLetterSink(std::unique_ptr<KafkaProducer> producer, std::string topic)
      : producer_(std::move(producer)), topic_(std::move(topic)) {}

  Status send(const DeadLetter& letter);
  Status flush(int timeout_ms) { return producer_->flush(timeout_ms); }
  void poll() { producer_->poll(0); }
  const KafkaProducer& producer() const { return *producer_; }

 private:
  std::unique_ptr<KafkaProducer> producer_;
  std::string topic_;
};

}  // namespace bahed::consumers
