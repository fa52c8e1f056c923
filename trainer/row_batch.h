#pragma once
// RowBatch: several laid-out rows as padded [rows, slots] tensors, the unit
// of one forward pass. Rows are right-padded to the longest; pad slots have
// kind kPad and take part in nothing. Which rows go together is
// batch_planner.h's job (similar lengths, little padding).
//
// Thread safety: a value; tensors are not shared with the layouts.
#include <torch/torch.h>

#include <cstdint>
#include <span>

#include "trainer/row_layout.h"
#include "trainer/slot_granularity.h"

namespace bahed::trainer {

struct RowBatch {
  SlotGranularity granularity = SlotGranularity::kBehavior;
  // Per slot, [rows, slots] int64, as in RowLayout; padding: source -1,
  // kind kPad, target -1, behavior -1, position 0, window [0, 0), action 0.
  torch::Tensor source;
  torch::Tensor kind;
  torch::Tensor target;
  torch::Tensor behavior;
  torch::Tensor position;
  torch::Tensor window_begin;
  torch::Tensor window_end;
  torch::Tensor action;
  // Per target (all rows, in row order), [targets] int64: its SUM slot as an
  // index into the flattened [rows * slots].
  torch::Tensor sum_index;
  // Every item slot, [item slots] int64: flat index and owning target.
  torch::Tensor item_index;
  torch::Tensor item_owner;
  // [targets] float32, 1 = clicked.
  torch::Tensor labels;

  int64_t n_rows() const { return kind.size(0); }
  int64_t n_slots() const { return kind.size(1); }
  int64_t n_targets() const { return labels.size(0); }
  // Slots holding real data (not padding), for efficiency metrics.
  int64_t n_real_slots() const;

  RowBatch to(const torch::Device& device) const;
};

// Stacks rows (at least one, all of one granularity; checked) into a CPU batch.
RowBatch collate_rows(std::span<const RowLayout* const> rows);

}  // namespace bahed::trainer
