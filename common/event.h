#pragma once
// Event: one decoded, validated behavior event (contract v1, see README
// "Event contract"). It is the value type that crosses the queue from
// consumers/ to encoder/.
#include <cstdint>
#include <string>
#include <vector>

namespace bahed {

enum class EventType : uint8_t {
  kImpression,  // a training target: an item shown to the user, with a click label
  kBehavior,    // extends the user's history only
};

// Where a Kafka message came from; the unit of delivery bookkeeping.
struct SourcePosition {
  int32_t partition = -1;
  int64_t offset = -1;
};

struct Event {
  EventType type = EventType::kBehavior;
  std::string user;
  int64_t ts_ms = 0;             // event time, milliseconds since the Unix epoch
  std::string feature;           // behavior kind; "default" when the event names none
  std::string text;              // behavior text (kBehavior only)
  std::string item_id;           // kImpression only
  std::string item_text;         // kImpression only
  int label = 0;                 // kImpression only: 1 = clicked
  SourcePosition source;
};

// The next offset to read for one partition: everything before it has been
// handed downstream (decoded events) or dead-lettered.
struct PartitionWatermark {
  int32_t partition = -1;
  int64_t next_offset = 0;
};

// What the consumer stage hands to the next stage: accepted events in
// partition order, and per partition the offset consumed through, which also
// covers rejected (dead-lettered) messages.
struct EventBatch {
  std::vector<Event> events;
  std::vector<PartitionWatermark> consumed_through;
};

}  // namespace bahed
