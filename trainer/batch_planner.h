#pragma once
// Batch planning: which rows share one forward pass.
//
// Rows are grouped by length (sorted, then cut greedily under a budget of
// padded slots) and right-padded, rather than packed end to end into one
// sequence with a block-diagonal mask. Attention here is not a fused
// variable-length kernel: it computes every query x key score, so packing r
// rows of length L into one sequence costs r^2 L^2 score work and memory,
// while a padded batch costs r L^2 plus the padding. DTI rows of one
// configuration have similar lengths (k targets, n context), so sorted
// groups pad little; the projections and MLPs cost the same either way.
//
// Thread safety: pure functions.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"

namespace bahed::trainer {

struct BatchPlanOptions {
  // Upper bound on rows x longest row per batch: bounds activation memory
  // (it grows with it; attention scores with it times the row length) and
  // sets how many rows share a step. A longer row goes alone. Default: 8192.
  int64_t max_padded_slots = 8192;
  // Upper bound on rows per batch. Default: 64.
  int64_t max_rows = 64;

  Status validate() const;
};

// Groups of row indices (into n_slots), each group sorted by length; every
// index appears exactly once. Deterministic: ties keep input order.
std::vector<std::vector<size_t>> plan_batches(std::span<const int64_t> n_slots, const BatchPlanOptions& options);

// Groups rows, in the given order, into optimizer steps: consecutive rows
// while their targets total at most max_targets (a row with more goes
// alone). Each step is then cut into micro-batches by plan_batches.
std::vector<std::vector<size_t>> plan_steps(std::span<const int64_t> n_targets, int64_t max_targets);

}  // namespace bahed::trainer
