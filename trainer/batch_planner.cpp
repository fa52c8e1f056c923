#include "trainer/batch_planner.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace bahed::trainer {

Status BatchPlanOptions::validate() const {
  if (max_padded_slots < 1) return Status::invalid_argument("trainer.batch.max_padded_slots must be >= 1");
  if (max_rows < 1) return Status::invalid_argument("trainer.batch.max_rows must be >= 1");
  return Status::ok();
}

std::vector<std::vector<size_t>> plan_batches(std::span<const int64_t> n_slots, const BatchPlanOptions& options) {
  std::vector<size_t> order(n_slots.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return n_slots[a] < n_slots[b]; });
  std::vector<std::vector<size_t>> batches;
  std::vector<size_t> current;
  for (const size_t index : order) {
    // Sorted ascending, so this row is the longest of the group if added.
    const auto rows_if_added = static_cast<int64_t>(current.size()) + 1;
    if (!current.empty() &&
        (rows_if_added > options.max_rows || rows_if_added * n_slots[index] > options.max_padded_slots)) {
      batches.push_back(std::move(current));
      current.clear();
    }
    current.push_back(index);
  }
  if (!current.empty()) batches.push_back(std::move(current));
  return batches;
}

std::vector<std::vector<size_t>> plan_steps(std::span<const int64_t> n_targets, int64_t max_targets) {
  std::vector<std::vector<size_t>> steps;
  std::vector<size_t> current;
  int64_t current_targets = 0;
  for (size_t index = 0; index < n_targets.size(); ++index) {
    if (!current.empty() && current_targets + n_targets[index] > max_targets) {
      steps.push_back(std::move(current));
      current.clear();
      current_targets = 0;
    }
    current.push_back(index);
    current_targets += n_targets[index];
  }
  if (!current.empty()) steps.push_back(std::move(current));
  return steps;
}

}  // namespace bahed::trainer
