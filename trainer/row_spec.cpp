#include "trainer/row_spec.h"

#include <string>

namespace bahed::trainer {

Status RowSpec::validate(int64_t n_context) const {
  if (targets.empty()) return Status::invalid_argument("row has no target");
  const auto n_behaviors = static_cast<int64_t>(behaviors.size());
  for (const int64_t id : behaviors) {
    if (id < 0) return Status::invalid_argument("behavior id " + std::to_string(id) + " is negative");
  }
  if (!actions.empty() && actions.size() != behaviors.size()) {
    return Status::invalid_argument(std::to_string(actions.size()) + " actions for " + std::to_string(n_behaviors) +
                                    " behaviors");
  }
  for (const BehaviorAction action : actions) {
    if (static_cast<int>(action) >= kBehaviorActionCount) return Status::invalid_argument("unknown behavior action");
  }
  int64_t previous_end = 0;
  for (size_t t = 0; t < targets.size(); ++t) {
    const RowTarget& target = targets[t];
    const std::string where = "target " + std::to_string(t) + ": ";
    if (target.item < 0) return Status::invalid_argument(where + "item id is negative");
    if (target.window_begin < 0 || target.window_begin > target.window_end || target.window_end > n_behaviors) {
      return Status::invalid_argument(where + "window [" + std::to_string(target.window_begin) + ", " +
                                      std::to_string(target.window_end) + ") outside the row's " +
                                      std::to_string(n_behaviors) + " behaviors");
    }
    if (target.window_end - target.window_begin > n_context) {
      return Status::invalid_argument(where + "window longer than n_context=" + std::to_string(n_context));
    }
    if (target.window_end < previous_end) {
      return Status::invalid_argument(where + "targets out of stream order (window_end decreases)");
    }
    previous_end = target.window_end;
  }
  return Status::ok();
}

}  // namespace bahed::trainer
