#pragma once
// Attention: grouped-query self-attention (Llama, Qwen2) with rotary
// positions, and the one attention function every caller uses, so masks,
// windows and ALiBi-style biases all go through the same code.
// Registered submodules: q_proj, k_proj, v_proj, o_proj (Hugging Face names).
#include <torch/torch.h>

#include "encoder/llm/model_config.h"
#include "encoder/llm/rotary_embedding.h"

namespace bahed::encoder {

// Which keys each query may see, and an additive bias on the scores. The
// three parts combine; the default (causal, no padding, no bias) is plain
// causal attention.
struct AttentionMask {
  // Query i sees keys j <= i only; needs as many queries as keys. Default: true.
  bool causal = true;
  // [batch] int64: keys at index >= length are padding (right padding) and
  // never seen. Undefined means no padding. Default: undefined.
  torch::Tensor key_lengths;
  // Additive float [batch or 1, heads or 1, queries, keys], added to the
  // scaled scores before softmax: window masks (large negative outside the
  // window) and ALiBi distance penalties. -inf is allowed; a row blocked
  // everywhere yields a uniform (finite) distribution instead of NaN.
  // Undefined means none (the fast path). Default: undefined.
  torch::Tensor bias;
};

// softmax(q k^T / sqrt(head_dim) + mask) v, for grouped-query attention.
//   q: [batch, n_heads, queries, head_dim]
//   k, v: [batch, n_kv_heads, keys, head_dim], n_heads a multiple of n_kv_heads
// Returns [batch, n_heads, queries, head_dim]. Key/value heads are shared by
// folding query heads into the query axis, never by copying k and v.
// Softmax runs in float32 for bf16/fp16 inputs.
torch::Tensor grouped_query_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                      const AttentionMask& mask);

class AttentionImpl : public torch::nn::Module {
 public:
  explicit AttentionImpl(const ModelConfig& config);

  // x: [batch, seq, hidden_size]; rope tables: [batch, seq, head_dim].
  // Returns [batch, seq, hidden_size].
  torch::Tensor forward(const torch::Tensor& x, const RotaryTables& rope, const AttentionMask& mask);

 private:
  int64_t hidden_size_;
  int64_t n_heads_;
  int64_t n_kv_heads_;
  int64_t head_dim_;
  torch::nn::Linear q_proj_ = nullptr;
  torch::nn::Linear k_proj_ = nullptr;
  torch::nn::Linear v_proj_ = nullptr;
  torch::nn::Linear o_proj_ = nullptr;
};
TORCH_MODULE(Attention);

// A Linear layer with Hugging Face's initialization: weight ~ N(0, std),
// bias zero. Shared by the attention and MLP blocks.
torch::nn::Linear make_hf_linear(int64_t in, int64_t out, bool bias, double std);

}  // namespace bahed::encoder
