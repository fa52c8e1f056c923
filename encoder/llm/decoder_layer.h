#pragma once
// DecoderLayer: one pre-norm transformer block,
//   h = x + self_attn(input_layernorm(x)); out = h + mlp(post_attention_layernorm(h)).
// Registered submodules: input_layernorm, self_attn, post_attention_layernorm,
// mlp (Hugging Face names).
#include <torch/torch.h>

#include "encoder/llm/attention.h"
#include "encoder/llm/mlp.h"
#include "encoder/llm/model_config.h"
#include "encoder/llm/rms_norm.h"
#include "encoder/llm/rotary_embedding.h"

namespace bahed::encoder {

class DecoderLayerImpl : public torch::nn::Module {
 public:
  explicit DecoderLayerImpl(const ModelConfig& config);

  // x: [batch, seq, hidden_size]; rope tables [batch, seq, head_dim].
  // Returns [batch, seq, hidden_size].
  torch::Tensor forward(const torch::Tensor& x, const RotaryTables& rope, const AttentionMask& mask);

 private:
  int64_t hidden_size_;
  RmsNorm input_layernorm_ = nullptr;
  Attention self_attn_ = nullptr;
  RmsNorm post_attention_layernorm_ = nullptr;
  Mlp mlp_ = nullptr;
};
TORCH_MODULE(DecoderLayer);

}  // namespace bahed::encoder
