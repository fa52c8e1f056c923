#pragma once
// RowSpec: one training row before it is laid out into slots, the same type
// for a sliding-window row (one target) and a DTI row (k targets).
//
// A row is one user's stream of behaviors, oldest first, with targets placed
// between them: target t sits right after behavior window_end - 1 and sees
// exactly behaviors [window_begin, window_end) (its context, the user's last
// n behaviors strictly before it). A target's own history entry (its item
// with the action clicked or skipped) is an ordinary behavior at or after its
// window_end, so later targets see it and the target itself never does.
//
// Ids index a table the caller owns: rows of a behavior-vector tensor
// (BAHE, e.g. EncodedBatch::vectors) or entries of a TokenTable (token-level).
// Items and behaviors share the table (both are texts).
//
// Thread safety: a plain value.
#include <cstdint>
#include <vector>

#include "common/behavior_action.h"
#include "common/status.h"

namespace bahed::trainer {

struct RowTarget {
  int64_t item = 0;          // id of the item text
  float label = 0.0f;        // 1 = clicked
  int64_t window_begin = 0;  // context = behaviors [window_begin, window_end)
  int64_t window_end = 0;    // also the target's place in the stream
};

struct RowSpec {
  std::vector<int64_t> behaviors;  // ids, oldest first
  // Per behavior, what the user did (clicked/skipped a past impression);
  // empty means kNone for all.
  std::vector<BehaviorAction> actions;
  std::vector<RowTarget> targets;  // in stream order: window_end non-decreasing

  // At least one target; ids >= 0; actions empty or one per behavior; every
  // window inside the stream, at most n_context long; window_end
  // non-decreasing.
  Status validate(int64_t n_context) const;
  BehaviorAction action(size_t behavior) const {
    return actions.empty() ? BehaviorAction::kNone : actions[behavior];
  }
};

}  // namespace bahed::trainer
