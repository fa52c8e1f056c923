#pragma once
// Attention masks of a RowBatch as additive biases for
// encoder::AttentionMask::bias, built with tensor ops from the per-slot
// metadata (row_layout.h states the rules), on the batch's device.
//
// Thread safety: pure functions.
#include <torch/torch.h>

#include "trainer/row_batch.h"

namespace bahed::trainer {

// [rows, slots, slots] bool: query slot i sees key slot j. Padding sees and
// is seen by nothing.
torch::Tensor visible_keys(const RowBatch& batch);

// [rows, 1, slots, slots] float32: 0 where visible, -inf elsewhere, minus
// the forgetting penalty `forgetting * (b_q - b_k)` on attention between two
// behavior slots b_q >= b_k (distance in behaviors, also for tokens). Only
// behavior queries forget: they carry context from beyond a target's window
// into later layers (hidden-state leakage), while a target's own view of its
// window stays whole. forgetting = 0 is off.
torch::Tensor window_bias(const RowBatch& batch, double forgetting);

// ALiBi slopes (Press et al., "Train Short, Test Long"): for n heads a power
// of two, 2^(-8 h / n) for h = 1..n; otherwise those of the closest lower
// power of two m, then every other slope of 2m. [n_heads] float32.
torch::Tensor alibi_slopes(int64_t n_heads);

// [rows, heads, slots, slots]: bias - slope_h * (pos_q - pos_k), the ALiBi
// distance penalty over virtual positions. bias: [rows, 1, slots, slots];
// positions: [rows, slots]; slopes: [heads].
torch::Tensor add_alibi(const torch::Tensor& bias, const torch::Tensor& positions, const torch::Tensor& slopes);

}  // namespace bahed::trainer
