#include "encoder/llm/rotary_embedding.h"

#include <cmath>
#include <numbers>

namespace bahed::encoder {
namespace {

// Llama 3.1's scaling (transformers' _compute_llama3_parameters): wavelengths
// longer than original/low_freq_factor are slowed by `factor`, shorter than
// original/high_freq_factor kept, and the band between interpolated.
torch::Tensor llama3_scale(const torch::Tensor& inv_freq, const RopeScaling& rs) {
  const double original = static_cast<double>(rs.original_max_position_embeddings);
  const double low_freq_wavelen = original / rs.low_freq_factor;
  const double high_freq_wavelen = original / rs.high_freq_factor;
  const torch::Tensor wavelen = 2.0 * std::numbers::pi / inv_freq;
  const torch::Tensor low_scaled = torch::where(wavelen > low_freq_wavelen, inv_freq / rs.factor, inv_freq);
  const torch::Tensor smooth = (original / wavelen - rs.low_freq_factor) / (rs.high_freq_factor - rs.low_freq_factor);
  const torch::Tensor smoothed = (1.0 - smooth) * low_scaled / rs.factor + smooth * low_scaled;
  const torch::Tensor medium = (wavelen >= high_freq_wavelen).logical_and(wavelen <= low_freq_wavelen);
  return torch::where(medium, smoothed, low_scaled);
}

}  // namespace

RotaryEmbeddingImpl::RotaryEmbeddingImpl(const ModelConfig& config) : head_dim_(config.head_dim()) {
  TORCH_CHECK(head_dim_ > 0 && head_dim_ % 2 == 0, "RotaryEmbedding: head_dim must be even, got ", head_dim_);
  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  const torch::Tensor exponent = torch::arange(0, head_dim_, 2, f64) / static_cast<double>(head_dim_);
  torch::Tensor inv_freq = 1.0 / torch::pow(config.rope_theta, exponent);
  switch (config.rope_scaling.type) {
    case RopeScalingType::kNone: break;
    case RopeScalingType::kLinear: inv_freq = inv_freq / config.rope_scaling.factor; break;
    case RopeScalingType::kLlama3: inv_freq = llama3_scale(inv_freq, config.rope_scaling); break;
  }
  inv_freq_ = inv_freq;
}

RotaryTables RotaryEmbeddingImpl::forward(const torch::Tensor& positions, torch::ScalarType dtype) {
  TORCH_CHECK(positions.dim() == 2, "RotaryEmbedding: positions must be [batch, seq], got ", positions.sizes());
  const torch::Tensor inv_freq = inv_freq_.to(positions.device());
  // [batch, seq, head_dim / 2], then duplicated for the two rotated halves.
  const torch::Tensor angles = positions.to(torch::kFloat64).unsqueeze(-1) * inv_freq;
  const torch::Tensor full = torch::cat({angles, angles}, -1);
  return {full.cos().to(dtype), full.sin().to(dtype)};
}

torch::Tensor apply_rotary(const torch::Tensor& x, const RotaryTables& tables) {
  TORCH_CHECK(x.dim() == 4 && tables.cos.dim() == 3 && x.size(0) == tables.cos.size(0) &&
                  x.size(2) == tables.cos.size(1) && x.size(3) == tables.cos.size(2),
              "apply_rotary: x [batch, heads, seq, head_dim] ", x.sizes(), " does not match tables ",
              tables.cos.sizes());
  const int64_t half = x.size(-1) / 2;
  const torch::Tensor x1 = x.narrow(-1, 0, half);
  const torch::Tensor x2 = x.narrow(-1, half, half);
  const torch::Tensor rotated = torch::cat({-x2, x1}, -1);
  return x * tables.cos.unsqueeze(1) + rotated * tables.sin.unsqueeze(1);
}

}  // namespace bahed::encoder
