#include "trainer/timeline.h"

#include <gtest/gtest.h>

#include <vector>

namespace bahed::trainer {
namespace {

// Behaviors 0..5; targets after 1, 3, 3 and 6 behaviors.
Timeline small_timeline() {
  Timeline t;
  t.behaviors = {100, 101, 102, 103, 104, 105};
  t.targets = {{7, 1.0f, 1}, {8, 0.0f, 3}, {9, 1.0f, 3}, {10, 0.0f, 6}};
  return t;
}

TEST(TimelineRows, GivesEachTargetItsLastNBehaviorsWhenSliding) {
  const std::vector<RowSpec> rows = timeline_rows(small_timeline(), 2, 1);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].behaviors, (std::vector<int64_t>{100}));
  EXPECT_EQ(rows[1].behaviors, (std::vector<int64_t>{101, 102}));
  EXPECT_EQ(rows[3].behaviors, (std::vector<int64_t>{104, 105}));
  for (const RowSpec& row : rows) {
    ASSERT_EQ(row.targets.size(), 1u);
    EXPECT_EQ(row.targets[0].window_begin, 0);
    EXPECT_EQ(row.targets[0].window_end, static_cast<int64_t>(row.behaviors.size()));
  }
}

TEST(TimelineRows, SharesBehaviorsBetweenPackedTargets) {
  const std::vector<RowSpec> rows = timeline_rows(small_timeline(), 2, 3);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].behaviors, (std::vector<int64_t>{100, 101, 102}));
  ASSERT_EQ(rows[0].targets.size(), 3u);
  EXPECT_EQ(rows[0].targets[0].window_begin, 0);
  EXPECT_EQ(rows[0].targets[0].window_end, 1);
  EXPECT_EQ(rows[0].targets[1].window_begin, 1);
  EXPECT_EQ(rows[0].targets[1].window_end, 3);
  EXPECT_EQ(rows[0].targets[2].window_begin, 1);
  EXPECT_EQ(rows[0].targets[2].item, 9);
  EXPECT_EQ(rows[1].behaviors, (std::vector<int64_t>{104, 105}));
  EXPECT_TRUE(rows[0].validate(2).is_ok());
}

}  // namespace
}  // namespace bahed::trainer
