#include "trainer/pending_targets.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/trainer/encoded_stream.h"

namespace bahed::trainer {
namespace {

using test::EncodedStream;
using test::StreamEvent;

constexpr uint32_t kDim = 3;
constexpr size_t kContext = 4;

std::vector<StreamEvent> script(const std::string& user, const std::string& kinds, int32_t partition = 0) {
  std::vector<StreamEvent> out;
  for (const char c : kinds) out.push_back({user, c, partition});
  return out;
}

std::vector<float> row_vector(const ReadyRow& row, int64_t id) {
  return {row.vectors.begin() + id * kDim, row.vectors.begin() + (id + 1) * kDim};
}

// Every target of `row` sees exactly its context and its own item, by
// vector content.
void expect_row_holds(const ReadyRow& row, const EncodedStream& stream, size_t first_target) {
  ASSERT_TRUE(row.spec.validate(static_cast<int64_t>(kContext)).is_ok());
  for (size_t t = 0; t < row.spec.targets.size(); ++t) {
    const EncodedTarget& expected = stream.targets()[first_target + t];
    const RowTarget& got = row.spec.targets[t];
    EXPECT_EQ(row_vector(row, got.item), stream.vector(expected.item_vector)) << "target " << t;
    EXPECT_EQ(got.label, static_cast<float>(expected.label));
    ASSERT_EQ(got.window_end - got.window_begin, static_cast<int64_t>(expected.context.size())) << "target " << t;
    for (size_t i = 0; i < expected.context.size(); ++i) {
      EXPECT_EQ(row_vector(row, row.spec.behaviors[got.window_begin + static_cast<int64_t>(i)]),
                stream.vector(expected.context[i].vector))
          << "target " << t << " context " << i;
    }
    EXPECT_EQ(row.sources[t].offset, expected.source.offset);
  }
}

TEST(PendingTargets, PacksOneUsersTargetsFromSeveralBatchesIntoOneRowOfK) {
  EncodedStream stream(kDim, kContext);
  stream.append(script("u1", "BBIBIIBBIBBBBIIB"));  // 6 targets
  ASSERT_EQ(stream.targets().size(), 6u);
  FakeClock clock;
  PendingTargets pending(/*n_targets_per_row=*/6, /*max_wait_ms=*/60000, /*max_pending_targets=*/1000, clock);
  for (const auto& [first, last] : std::vector<std::pair<size_t, size_t>>{{0, 2}, {2, 3}, {3, 6}}) {
    EXPECT_EQ(pending.n_ready_rows(), 0);
    ASSERT_TRUE(pending.add(stream.batch(first, last)).is_ok());
  }
  ASSERT_EQ(pending.n_ready_rows(), 1);
  EXPECT_EQ(pending.n_pending_targets(), 0);
  const std::vector<ReadyRow> rows = pending.take_ready(1000);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].spec.targets.size(), 6u);
  expect_row_holds(rows[0], stream, 0);
  // Vectors shared by several contexts are stored once: the 9 B behaviors
  // before the last target all lie in some context, and an impression's
  // history entry is its item's vector, so 9 + 6 items.
  EXPECT_EQ(rows[0].vectors.size(), (9u + 6u) * kDim);
}

TEST(PendingTargets, EmitsAShorterRowWhenTheOldestTargetWaitedMaxWait) {
  EncodedStream stream(kDim, kContext);
  stream.append(script("u1", "BIBI"));
  FakeClock clock;
  PendingTargets pending(4, 1000, 1000, clock);
  ASSERT_TRUE(pending.add(stream.batch(0, 1)).is_ok());
  clock.advance_ms(600);
  ASSERT_TRUE(pending.add(stream.batch(1, 2)).is_ok());
  clock.advance_ms(399);
  pending.emit_expired();
  EXPECT_EQ(pending.n_ready_rows(), 0);
  clock.advance_ms(1);
  pending.emit_expired();
  ASSERT_EQ(pending.n_ready_rows(), 1);
  const std::vector<ReadyRow> rows = pending.take_ready(1000);
  EXPECT_EQ(rows[0].spec.targets.size(), 2u);
  expect_row_holds(rows[0], stream, 0);
}

TEST(PendingTargets, BeyondTheCapTheRowBegunFirstLeavesShort) {
  EncodedStream stream(kDim, kContext);
  stream.append(script("u1", "BIBI"));
  stream.append(script("u2", "BIBI"));
  stream.append(script("u3", "BI"));
  ASSERT_EQ(stream.targets().size(), 5u);
  FakeClock clock;
  PendingTargets pending(/*n_targets_per_row=*/10, /*max_wait_ms=*/60000, /*max_pending_targets=*/4, clock);
  ASSERT_TRUE(pending.add(stream.batch(0, 4)).is_ok());
  EXPECT_EQ(pending.n_pending_targets(), 4);
  EXPECT_EQ(pending.n_ready_rows(), 0);
  ASSERT_TRUE(pending.add(stream.batch(4, 5)).is_ok());
  // Five waited: u1's row, begun first, leaves with its two targets.
  EXPECT_EQ(pending.n_pending_targets(), 3);
  ASSERT_EQ(pending.n_ready_rows(), 1);
  EXPECT_EQ(pending.n_ready_targets(), 2);
  const std::vector<ReadyRow> rows = pending.take_ready(1000);
  EXPECT_EQ(pending.n_ready_targets(), 0);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].spec.targets.size(), 2u);
  expect_row_holds(rows[0], stream, 0);
}

TEST(PendingTargets, StartsANewRowWhenAContextComesFromAnotherPartition) {
  EncodedStream stream(kDim, kContext);
  stream.append(script("u1", "BIBI", 0));
  stream.append(script("u1", "I", 1));  // its context is on partition 0, the target on 1
  FakeClock clock;
  PendingTargets pending(10, 60000, 1000, clock);
  ASSERT_TRUE(pending.add(stream.batch(0, 3)).is_ok());
  pending.flush();
  const std::vector<ReadyRow> rows = pending.take_ready(1000);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].spec.targets.size(), 2u);
  EXPECT_EQ(rows[1].spec.targets.size(), 1u);
  expect_row_holds(rows[0], stream, 0);
  expect_row_holds(rows[1], stream, 2);
}

TEST(PendingTargets, TrainedThroughNeverPassesAnUntrainedTarget) {
  EncodedStream stream(kDim, kContext);
  stream.append(script("u1", "BI"));  // target at 101
  stream.append(script("u2", "BBI"));  // target at 104
  stream.append(script("u1", "BB"));  // 105, 106
  FakeClock clock;
  PendingTargets pending(3, 60000, 1000, clock);
  EncodedBatch batch = stream.batch(0, 2);
  batch.consumed_through = {{0, 107}};
  ASSERT_TRUE(pending.add(batch).is_ok());
  auto through = pending.trained_through();
  ASSERT_EQ(through.size(), 1u);
  EXPECT_EQ(through[0].next_offset, 101);  // both targets pending

  pending.flush();
  std::vector<ReadyRow> first = pending.take_ready(1);  // u1's row only
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(pending.trained_through()[0].next_offset, 101);  // taken, not yet trained
  pending.mark_trained(first);
  EXPECT_EQ(pending.trained_through()[0].next_offset, 104);  // u2's target is still ready
  std::vector<ReadyRow> second = pending.take_ready(1);
  pending.mark_trained(second);
  EXPECT_EQ(pending.trained_through()[0].next_offset, 107);
}

TEST(PendingTargets, RejectsABatchWhoseIdsPointPastItsVectors) {
  EncodedStream stream(kDim, kContext);
  stream.append(script("u1", "BI"));
  EncodedBatch batch = stream.batch(0, 1);
  batch.targets[0].item_vector = 99;
  FakeClock clock;
  PendingTargets pending(3, 60000, 1000, clock);
  EXPECT_EQ(pending.add(batch).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(pending.n_pending_targets(), 0);
}

}  // namespace
}  // namespace bahed::trainer
