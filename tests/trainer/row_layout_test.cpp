#include "trainer/row_layout.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <vector>

#include "tests/trainer/tiny_ctr.h"
#include "trainer/attention_bias.h"
#include "trainer/timeline.h"

namespace bahed::trainer {
namespace {

using namespace test;

constexpr int64_t B = static_cast<int64_t>(SlotKind::kBehavior);
constexpr int64_t I = static_cast<int64_t>(SlotKind::kItem);
constexpr int64_t S = static_cast<int64_t>(SlotKind::kSum);

RowSpec two_target_row() {
  RowSpec spec;
  spec.behaviors = {10, 11, 12, 13};
  spec.targets = {{20, 1.0f, 0, 2}, {21, 0.0f, 1, 4}};
  return spec;
}

TEST(RowLayout, PlacesEachTargetAfterItsWindowWithVirtualPositions) {
  const RowLayout layout = RowLayoutBuilder({SlotGranularity::kBehavior, 3}, nullptr).build(two_target_row());
  EXPECT_EQ(layout.source, (std::vector<int64_t>{10, 11, 20, -1, 12, 13, 21, -1}));
  EXPECT_EQ(layout.kind, (std::vector<int64_t>{B, B, I, S, B, B, I, S}));
  EXPECT_EQ(layout.target, (std::vector<int64_t>{-1, -1, 0, 0, -1, -1, 1, 1}));
  // Target 1's window starts at behavior 1, so it continues at position 4 as
  // in its sliding-window row (3 behaviors, then item at 3): same distances.
  EXPECT_EQ(layout.position, (std::vector<int64_t>{0, 1, 2, 3, 2, 3, 4, 5}));
  EXPECT_EQ(layout.window_begin, (std::vector<int64_t>{0, 0, 0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(layout.window_end, (std::vector<int64_t>{1, 2, 2, 2, 3, 4, 4, 4}));
  EXPECT_EQ(layout.item_slot, (std::vector<int64_t>{2, 6}));
  EXPECT_EQ(layout.sum_slot, (std::vector<int64_t>{3, 7}));
  EXPECT_EQ(layout.labels, (std::vector<float>{1.0f, 0.0f}));
}

TEST(RowLayout, GivesEachTargetOneSlotWhenFused) {
  const RowLayout layout = RowLayoutBuilder({SlotGranularity::kBehavior, 3, true}, nullptr).build(two_target_row());
  EXPECT_EQ(layout.source, (std::vector<int64_t>{10, 11, 20, 12, 13, 21}));
  EXPECT_EQ(layout.kind, (std::vector<int64_t>{B, B, S, B, B, S}));
  EXPECT_EQ(layout.position, (std::vector<int64_t>{0, 1, 2, 2, 3, 4}));
  EXPECT_EQ(layout.item_slot, (std::vector<int64_t>{2, 5}));
  EXPECT_EQ(layout.sum_slot, layout.item_slot);
  const RowLayout* rows[] = {&layout};
  const RowBatch batch = collate_rows(rows);
  EXPECT_TRUE(torch::equal(batch.item_index, batch.sum_index));
}

TEST(RowLayout, GivesEveryTokenASlotWhenTokenLevel) {
  TokenTable tokens;
  for (int64_t id = 0; id < 22; ++id) {
    const std::vector<int64_t> ids(static_cast<size_t>(1 + id % 3), id);  // 1-3 tokens
    tokens.add(ids);
  }
  const RowLayout layout = RowLayoutBuilder({SlotGranularity::kToken, 3}, &tokens).build(two_target_row());
  // Behaviors 10, 11, 12, 13 have 2, 3, 1, 2 tokens; items 20, 21 have 3, 1.
  EXPECT_EQ(layout.source, (std::vector<int64_t>{10, 10, 11, 11, 11, 20, 20, 20, -1, 12, 13, 13, 21, -1}));
  EXPECT_EQ(layout.kind, (std::vector<int64_t>{B, B, B, B, B, I, I, I, S, B, B, B, I, S}));
  EXPECT_EQ(layout.behavior, (std::vector<int64_t>{0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 4, 4}));
  // Target 1 sees behaviors 1..3 (tokens at 2..7), its item follows at 8.
  EXPECT_EQ(layout.position, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 5, 6, 7, 8, 9}));
  EXPECT_EQ(layout.item_slot, (std::vector<int64_t>{5, 12}));
  EXPECT_EQ(layout.sum_slot, (std::vector<int64_t>{8, 13}));
}

// Sorted (query - key) distances of every key a target's SUM slot sees.
std::vector<std::vector<int64_t>> sum_views(const std::vector<RowSpec>& rows, const RowLayoutBuilder& builder) {
  std::vector<std::vector<int64_t>> out;
  for (const RowSpec& row : rows) {
    const RowLayout layout = builder.build(row);
    const std::vector<const RowLayout*> one = {&layout};
    const torch::Tensor visible = visible_keys(collate_rows(one))[0];
    for (int64_t t = 0; t < layout.n_targets(); ++t) {
      const int64_t q = layout.sum_slot[t];
      std::vector<int64_t> view;
      for (int64_t k = 0; k < layout.n_slots(); ++k) {
        if (visible[q][k].item<bool>()) view.push_back(layout.position[q] - layout.position[k]);
      }
      std::sort(view.begin(), view.end());
      out.push_back(view);
    }
  }
  return out;
}

TEST(RowLayout, PackedTargetSeesTheDistancesOfItsSlidingWindowRow) {
  const TimelineShape shape;
  const TextTables tables = random_tables(n_texts(shape));
  const Timeline timeline = random_timeline(shape);
  for (const SlotGranularity g : {SlotGranularity::kBehavior, SlotGranularity::kToken}) {
    const RowLayoutBuilder builder({g, 5}, &tables.tokens);
    const auto packed = sum_views(timeline_rows(timeline, 5, 7), builder);
    const auto sliding = sum_views(timeline_rows(timeline, 5, 1), builder);
    ASSERT_EQ(packed.size(), static_cast<size_t>(shape.n_targets));
    EXPECT_EQ(packed, sliding) << slot_granularity_name(g);
  }
}

TEST(RowLayout, RejectsTargetsOutOfStreamOrder) {
  RowSpec spec = two_target_row();
  std::swap(spec.targets[0], spec.targets[1]);
  EXPECT_FALSE(spec.validate(3).is_ok());
  spec = two_target_row();
  spec.targets[1].window_begin = 0;  // 4 behaviors > n_context 3
  EXPECT_FALSE(spec.validate(3).is_ok());
  EXPECT_TRUE(two_target_row().validate(3).is_ok());
}

}  // namespace
}  // namespace bahed::trainer
