#pragma once
// Timeline: one user's full history from offline data (e.g. MovieLens
// ratings in time order), cut into sliding-window or DTI rows by the same
// function, so the baselines are configurations of one code path.
//
// Thread safety: plain values and a pure function.
#include <cstdint>
#include <vector>

#include "trainer/row_spec.h"

namespace bahed::trainer {

struct TimelineTarget {
  int64_t item = 0;    // id of the item text
  float label = 0.0f;  // 1 = clicked
  // How many of the timeline's behaviors happened strictly before this
  // target; its context is the last n of them.
  int64_t n_behaviors_before = 0;
};

struct Timeline {
  std::vector<int64_t> behaviors;        // ids, oldest first
  std::vector<BehaviorAction> actions;   // one per behavior, or empty (all kNone)
  std::vector<TimelineTarget> targets;   // n_behaviors_before non-decreasing
};

// Rows of up to n_targets_per_row consecutive targets (the last row may hold
// fewer), each target's context the last n_context behaviors before it.
// n_targets_per_row = 1 gives the sliding-window rows, larger values DTI rows.
// A row holds only the behaviors its targets see. Targets are taken in
// order; precondition (checked): n_behaviors_before non-decreasing, within
// the timeline, n_context >= 0 and n_targets_per_row >= 1.
std::vector<RowSpec> timeline_rows(const Timeline& timeline, int64_t n_context, int64_t n_targets_per_row);

}  // namespace bahed::trainer
