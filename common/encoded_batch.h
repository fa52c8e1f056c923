#pragma once
// EncodedBatch: what the encoder stage hands to the trainer. Every labelled
// impression of an EventBatch becomes one EncodedTarget whose behaviors are
// already vectors (BAHE): the trainer never sees text or touches the store.
#include <cstdint>
#include <string>
#include <vector>

#include "common/behavior_action.h"
#include "common/event.h"

namespace bahed {

// One behavior of a target's context: which vector, and where it came from.
struct ContextBehavior {
  uint32_t vector = 0;  // row in EncodedBatch::vectors
  BehaviorAction action = BehaviorAction::kNone;  // clicked/skipped for a past impression
  // Kafka position of the event that added it to the history. Contexts of
  // one user's targets are suffixes of the same history, so the trainer
  // aligns consecutive targets' contexts on it to pack them into one DTI row.
  SourcePosition source;
  int64_t event_time_ms = 0;
};

struct EncodedTarget {
  std::string user;
  int64_t event_time_ms = 0;
  int label = 0;  // 1 = clicked
  SourcePosition source;
  std::string item_id;
  uint32_t item_vector = 0;  // row of the item text's vector
  // The user's last (up to) n behaviors strictly before this impression
  // (by Kafka position), oldest first. Never the impression itself nor a
  // later event, also when the store's history already holds later events
  // (a replay after a crash).
  std::vector<ContextBehavior> context;
};

struct EncodedBatch {
  uint32_t dimension = 0;
  // [n_vectors * dimension] float32, row-major; a vector used by several
  // targets (or twice in one context) appears once.
  std::vector<float> vectors;
  std::vector<EncodedTarget> targets;
  // Copied from the EventBatch: per partition, everything before next_offset
  // has been encoded into this batch or into the store (or dead-lettered).
  std::vector<PartitionWatermark> consumed_through;
  // Newest event time in the batch (freshness); 0 when empty.
  int64_t max_event_time_ms = 0;

  size_t n_vectors() const { return dimension == 0 ? 0 : vectors.size() / dimension; }
  const float* vector(uint32_t row) const { return vectors.data() + static_cast<size_t>(row) * dimension; }
};

}  // namespace bahed
