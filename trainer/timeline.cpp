#include "trainer/timeline.h"

#include <algorithm>

#include <c10/util/Exception.h>

namespace bahed::trainer {

std::vector<RowSpec> timeline_rows(const Timeline& timeline, int64_t n_context, int64_t n_targets_per_row) {
  TORCH_CHECK(n_context >= 0 && n_targets_per_row >= 1, "timeline_rows: n_context=", n_context,
              " n_targets_per_row=", n_targets_per_row);
  const auto n_behaviors = static_cast<int64_t>(timeline.behaviors.size());
  const auto n_targets = static_cast<int64_t>(timeline.targets.size());
  TORCH_CHECK(timeline.actions.empty() || timeline.actions.size() == timeline.behaviors.size(), "timeline_rows: ",
              timeline.actions.size(), " actions for ", n_behaviors, " behaviors");
  for (int64_t t = 0; t < n_targets; ++t) {
    const int64_t before = timeline.targets[t].n_behaviors_before;
    TORCH_CHECK(before >= 0 && before <= n_behaviors, "timeline_rows: target ", t, " comes after ", before,
                " behaviors but the timeline has ", n_behaviors);
    TORCH_CHECK(t == 0 || before >= timeline.targets[t - 1].n_behaviors_before,
                "timeline_rows: targets out of order at ", t);
  }
  std::vector<RowSpec> rows;
  for (int64_t first = 0; first < n_targets; first += n_targets_per_row) {
    const int64_t last = std::min(n_targets, first + n_targets_per_row) - 1;
    const int64_t begin = std::max<int64_t>(0, timeline.targets[first].n_behaviors_before - n_context);
    const int64_t end = timeline.targets[last].n_behaviors_before;
    RowSpec row;
    row.behaviors.assign(timeline.behaviors.begin() + begin, timeline.behaviors.begin() + end);
    if (!timeline.actions.empty()) row.actions.assign(timeline.actions.begin() + begin, timeline.actions.begin() + end);
    for (int64_t t = first; t <= last; ++t) {
      const TimelineTarget& target = timeline.targets[t];
      const int64_t window_begin = std::max<int64_t>(0, target.n_behaviors_before - n_context);
      row.targets.push_back({target.item, target.label, window_begin - begin, target.n_behaviors_before - begin});
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace bahed::trainer
