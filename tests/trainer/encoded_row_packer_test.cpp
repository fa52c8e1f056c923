#include "trainer/encoded_row_packer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "tests/trainer/tiny_ctr.h"
#include "trainer/attention_bias.h"
#include "trainer/row_layout.h"

namespace bahed::trainer {
namespace {

// What the encoder stage would emit for one user in one partition: `pattern`
// has 'B' for a plain behavior and 'I' for a labelled impression; every
// impression's context is the last n history entries before it, and it then
// joins the history as its own history vector.
std::vector<EncodedTarget> user_targets(const std::string& pattern, size_t n_context, int32_t partition = 3) {
  std::vector<EncodedTarget> targets;
  std::vector<ContextBehavior> history;
  uint32_t next_vector = 0;
  int64_t offset = 100;
  for (const char c : pattern) {
    const SourcePosition source{partition, offset};
    const int64_t time_ms = 1000 * offset;
    offset += 1 + offset % 2;  // gaps: other users' events in between
    if (c == 'B') {
      history.push_back({next_vector++, BehaviorAction::kNone, source, time_ms});
      continue;
    }
    EncodedTarget t;
    t.user = "u1";
    t.event_time_ms = time_ms;
    t.label = static_cast<int>(targets.size() % 2);
    t.source = source;
    t.item_id = "m" + std::to_string(targets.size());
    t.item_vector = next_vector++;
    t.context.assign(history.size() > n_context ? history.end() - static_cast<std::ptrdiff_t>(n_context) : history.begin(),
                     history.end());
    history.push_back({t.item_vector, action_of_label(t.label), source, time_ms});
    targets.push_back(t);
  }
  return targets;
}

std::vector<int64_t> context_vectors(const EncodedTarget& t) {
  std::vector<int64_t> out;
  for (const ContextBehavior& b : t.context) out.push_back(b.vector);
  return out;
}

// Checks every target of `rows` (in order) against `targets`: its window is
// exactly its context, and item and label carry over.
void expect_windows_are_contexts(const std::vector<RowSpec>& rows, const std::vector<EncodedTarget>& targets) {
  size_t next = 0;
  for (const RowSpec& row : rows) {
    ASSERT_TRUE(row.validate(50).is_ok());
    for (const RowTarget& rt : row.targets) {
      ASSERT_LT(next, targets.size());
      const EncodedTarget& t = targets[next++];
      const std::vector<int64_t> window(row.behaviors.begin() + rt.window_begin, row.behaviors.begin() + rt.window_end);
      EXPECT_EQ(window, context_vectors(t)) << "target " << next - 1;
      EXPECT_EQ(rt.item, t.item_vector);
      EXPECT_EQ(rt.label, static_cast<float>(t.label));
    }
  }
  EXPECT_EQ(next, targets.size());
}

TEST(EncodedRowPacker, GivesEveryTargetExactlyItsContextWhenPacking) {
  const std::vector<EncodedTarget> targets = user_targets("BBBIBIIBBIBBBBIIIBIBIIIBI", 4);
  ASSERT_EQ(targets.size(), 12u);
  const std::vector<RowSpec> rows = pack_encoded_targets(targets, 5);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].targets.size(), 5u);
  EXPECT_EQ(rows[2].targets.size(), 2u);
  expect_windows_are_contexts(rows, targets);
  // Packing shares the context: fewer behaviors than sliding-window rows.
  EXPECT_LT(rows[0].behaviors.size(), 5u * 4u);
}

TEST(EncodedRowPacker, MakesOneRowPerTargetWhenSliding) {
  const std::vector<EncodedTarget> targets = user_targets("BBIBIIBI", 3);
  const std::vector<RowSpec> rows = pack_encoded_targets(targets, 1);
  ASSERT_EQ(rows.size(), targets.size());
  expect_windows_are_contexts(rows, targets);
}

TEST(EncodedRowPacker, SumSlotSeesExactlyTheContextBehaviors) {
  const std::vector<EncodedTarget> targets = user_targets("BIBBIIBIBBBI", 3);
  const std::vector<RowSpec> rows = pack_encoded_targets(targets, 8);
  ASSERT_EQ(rows.size(), 1u);
  const RowLayoutBuilder builder({SlotGranularity::kBehavior, 3}, nullptr);
  const RowLayout layout = builder.build(rows[0]);
  const std::vector<const RowLayout*> one = {&layout};
  const RowBatch batch = collate_rows(one);
  const torch::Tensor visible = visible_keys(batch)[0];
  for (int64_t t = 0; t < layout.n_targets(); ++t) {
    std::vector<int64_t> seen_behaviors;
    std::vector<int64_t> seen_target_slots;
    for (int64_t k = 0; k < layout.n_slots(); ++k) {
      if (!visible[layout.sum_slot[t]][k].item<bool>()) continue;
      if (layout.kind[k] == static_cast<int64_t>(SlotKind::kBehavior)) seen_behaviors.push_back(layout.source[k]);
      if (layout.kind[k] != static_cast<int64_t>(SlotKind::kBehavior)) seen_target_slots.push_back(k);
    }
    EXPECT_EQ(seen_behaviors, context_vectors(targets[t])) << "target " << t;
    EXPECT_EQ(seen_target_slots, (std::vector<int64_t>{layout.item_slot[t], layout.sum_slot[t]})) << "target " << t;
  }
}

TEST(EncodedRowPacker, StartsNewRowWhenContextDoesNotAlign) {
  std::vector<EncodedTarget> targets = user_targets("BBBIBIIBBIBI", 4);
  ASSERT_EQ(targets.size(), 5u);
  // Target 2's context lost a behavior in the middle (not a suffix of what
  // the row holds): it cannot share the row, and still sees its own context.
  targets[2].context.erase(targets[2].context.begin() + 1);
  const std::vector<RowSpec> rows = pack_encoded_targets(targets, 8);
  EXPECT_GT(rows.size(), 1u);
  expect_windows_are_contexts(rows, targets);
}

TEST(EncodedRowPacker, RefusesTargetFromAnotherPartition) {
  std::vector<EncodedTarget> targets = user_targets("BBIBI", 4);
  const std::vector<EncodedTarget> other = user_targets("BBIBI", 4, 7);
  EncodedRowPacker packer;
  ASSERT_TRUE(packer.try_add(targets[0]));
  EXPECT_FALSE(packer.try_add(other[1]));
  EXPECT_TRUE(packer.try_add(targets[1]));
  EXPECT_EQ(packer.n_targets(), 2);
}

TEST(EncodedRowPacker, RefusesTargetOlderThanTheRow) {
  const std::vector<EncodedTarget> targets = user_targets("BBIBIBBI", 4);
  EncodedRowPacker packer;
  ASSERT_TRUE(packer.try_add(targets[2]));
  EXPECT_FALSE(packer.try_add(targets[0]));
  EXPECT_EQ(packer.n_targets(), 1);
}

}  // namespace
}  // namespace bahed::trainer
