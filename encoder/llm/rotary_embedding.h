#pragma once
// RotaryEmbedding: rotary position embedding (RoPE) in Hugging Face's
// "rotate half" layout, with the base frequency rope_theta and optional
// linear or llama3 frequency scaling. Positions are given per token, not
// implied by the index in the sequence, so the trainer can assign virtual
// positions (each packed target sees the relative distances of its own
// sliding-window row). No parameters.
#include <torch/torch.h>

#include "encoder/llm/model_config.h"

namespace bahed::encoder {

// cos and sin tables for a batch of positions, each [batch, seq, head_dim].
struct RotaryTables {
  torch::Tensor cos;
  torch::Tensor sin;
};

class RotaryEmbeddingImpl : public torch::nn::Module {
 public:
  explicit RotaryEmbeddingImpl(const ModelConfig& config);

  // positions: [batch, seq], any integer or floating dtype.
  // Returns tables in `dtype` on positions' device. Angles are computed in
  // float64 so large positions keep their precision before the cast.
  RotaryTables forward(const torch::Tensor& positions, torch::ScalarType dtype);

  // Inverse frequencies [head_dim / 2], float64, after scaling.
  const torch::Tensor& inv_freq() const { return inv_freq_; }

 private:
  int64_t head_dim_;
  // Not a buffer: kept in float64 on purpose, so model.to(bf16) cannot round it.
  torch::Tensor inv_freq_;
};
TORCH_MODULE(RotaryEmbedding);

// Rotates x: [batch, heads, seq, head_dim] by tables of [batch, seq, head_dim].
torch::Tensor apply_rotary(const torch::Tensor& x, const RotaryTables& tables);

}  // namespace bahed::encoder
