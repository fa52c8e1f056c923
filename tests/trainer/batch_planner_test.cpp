#include "trainer/batch_planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace bahed::trainer {
namespace {

TEST(PlanBatches, GroupsSimilarLengthsUnderTheBudgetAndUsesEveryRowOnce) {
  const std::vector<int64_t> lengths = {50, 10, 300, 12, 48, 11, 52, 9000};
  BatchPlanOptions options;
  options.max_padded_slots = 160;
  options.max_rows = 3;
  const auto batches = plan_batches(lengths, options);
  std::vector<size_t> seen;
  for (const auto& batch : batches) {
    int64_t longest = 0;
    for (const size_t i : batch) longest = std::max(longest, lengths[i]);
    EXPECT_LE(batch.size(), 3u);
    if (batch.size() > 1) EXPECT_LE(static_cast<int64_t>(batch.size()) * longest, 160);
    seen.insert(seen.end(), batch.begin(), batch.end());
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<size_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  // Short rows together, long ones together, oversized alone.
  EXPECT_EQ(batches.front(), (std::vector<size_t>{1, 5, 3}));
  EXPECT_EQ(batches[1], (std::vector<size_t>{4, 0, 6}));
  EXPECT_EQ(batches.back(), (std::vector<size_t>{7}));
}

TEST(PlanBatches, ReturnsNothingWhenThereAreNoRows) {
  EXPECT_TRUE(plan_batches({}, BatchPlanOptions{}).empty());
}

}  // namespace
}  // namespace bahed::trainer

namespace bahed::trainer {
namespace {

TEST(PlanSteps, TakesWholeRowsInOrderUpToTheTargetBudget) {
  const std::vector<int64_t> targets = {3, 3, 5, 1, 9, 2};
  const auto steps = plan_steps(targets, 6);
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[0], (std::vector<size_t>{0, 1}));
  EXPECT_EQ(steps[1], (std::vector<size_t>{2, 3}));
  EXPECT_EQ(steps[2], (std::vector<size_t>{4}));  // over budget: alone
  EXPECT_EQ(steps[3], (std::vector<size_t>{5}));
}

}  // namespace
}  // namespace bahed::trainer
