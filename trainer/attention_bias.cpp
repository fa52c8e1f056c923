#include "trainer/attention_bias.h"

#include <cmath>
#include <limits>
#include <vector>

namespace bahed::trainer {
namespace {

// [rows, slots, 1] (as query) and [rows, 1, slots] (as key) views.
torch::Tensor as_query(const torch::Tensor& t) { return t.unsqueeze(2); }
torch::Tensor as_key(const torch::Tensor& t) { return t.unsqueeze(1); }

std::vector<double> power_of_two_slopes(int64_t n) {
  std::vector<double> out;
  for (int64_t h = 1; h <= n; ++h) out.push_back(std::pow(2.0, -8.0 * static_cast<double>(h) / static_cast<double>(n)));
  return out;
}

}  // namespace

torch::Tensor visible_keys(const RowBatch& batch) {
  const torch::Tensor key_is_behavior = as_key(batch.kind.eq(static_cast<int64_t>(SlotKind::kBehavior)));
  const torch::Tensor key_behavior = as_key(batch.behavior);
  const torch::Tensor in_window =
      key_behavior.ge(as_query(batch.window_begin)).logical_and_(key_behavior.lt(as_query(batch.window_end)));
  const torch::Tensor key_target = as_key(batch.target);
  const torch::Tensor same_target = key_target.eq(as_query(batch.target)).logical_and_(key_target.ge(0));
  const torch::Tensor causal = as_key(batch.position).le(as_query(batch.position));
  return key_is_behavior.logical_and(in_window).logical_or_(same_target).logical_and_(causal);
}

torch::Tensor window_bias(const RowBatch& batch, double forgetting) {
  const torch::Tensor visible = visible_keys(batch);
  const auto f32 = torch::TensorOptions().dtype(torch::kFloat32).device(batch.kind.device());
  torch::Tensor bias = torch::zeros(visible.sizes(), f32);
  if (forgetting != 0.0) {
    const torch::Tensor is_behavior = batch.kind.eq(static_cast<int64_t>(SlotKind::kBehavior));
    const torch::Tensor both = as_query(is_behavior).logical_and(as_key(is_behavior));
    const torch::Tensor distance = (as_query(batch.behavior) - as_key(batch.behavior)).to(torch::kFloat32);
    bias = torch::where(both, distance * (-forgetting), bias);
  }
  bias.masked_fill_(visible.logical_not(), -std::numeric_limits<float>::infinity());
  return bias.unsqueeze(1);
}

torch::Tensor alibi_slopes(int64_t n_heads) {
  TORCH_CHECK(n_heads >= 1, "alibi_slopes: n_heads=", n_heads);
  int64_t m = 1;
  while (m * 2 <= n_heads) m *= 2;
  std::vector<double> slopes = power_of_two_slopes(m);
  if (m < n_heads) {
    const std::vector<double> doubled = power_of_two_slopes(2 * m);
    for (int64_t i = 0; static_cast<int64_t>(slopes.size()) < n_heads; i += 2) slopes.push_back(doubled[i]);
  }
  return torch::tensor(slopes, torch::kFloat64).to(torch::kFloat32);
}

torch::Tensor add_alibi(const torch::Tensor& bias, const torch::Tensor& positions, const torch::Tensor& slopes) {
  TORCH_CHECK(bias.dim() == 4 && bias.size(1) == 1 && positions.dim() == 2 && slopes.dim() == 1,
              "add_alibi: bias [rows, 1, slots, slots], positions [rows, slots], slopes [heads]; got ", bias.sizes(),
              " ", positions.sizes(), " ", slopes.sizes());
  const torch::Tensor distance = (as_query(positions) - as_key(positions)).to(torch::kFloat32).unsqueeze(1);
  return bias - slopes.to(bias.device()).view({1, -1, 1, 1}) * distance;
}

}  // namespace bahed::trainer
