#include "consumers/dead_letter_sink.h"

namespace bahed::consumers {

Status DeadLetterSink::send(const DeadLetter& letter) {
  const KafkaHeaders headers = {
      {"bahed.reason", std::string(reject_reason_name(letter.reason))},
      {"bahed.detail", std::string(letter.detail)},
      {"bahed.source.topic", std::string(letter.source_topic)},
      {"bahed.source.partition", std::to_string(letter.source_partition)},
      {"bahed.source.offset", std::to_string(letter.source_offset)},
  };
  return producer_->produce(topic_, letter.key, letter.payload, headers);
}

}  // namespace bahed::consumers
