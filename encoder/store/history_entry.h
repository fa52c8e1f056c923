#pragma once
// One behavior in a user's history, and the update that appends it.
#include <cstdint>
#include <string>

#include "common/behavior_action.h"
#include "encoder/store/behavior_key.h"

namespace bahed::encoder {

struct HistoryEntry {
  // BehaviorKey::behavior of the behavior: version-independent, so the
  // vector is looked up under whichever encoder version is current.
  Hash128 behavior;
  int64_t event_time_ms = 0;  // the event's `ts`
  int32_t partition = 0;      // Kafka partition the event came from
  int64_t offset = 0;         // its offset there
  // Clicked or skipped for an impression (whose behavior is its item),
  // kNone for other behaviors.
  BehaviorAction action = BehaviorAction::kNone;

  bool operator==(const HistoryEntry&) const = default;
};

struct HistoryUpdate {
  std::string user;  // the event's user id, as given
  HistoryEntry entry;
};

}  // namespace bahed::encoder
