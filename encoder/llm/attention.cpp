#include "encoder/llm/attention.h"

#include <cmath>
#include <limits>

namespace bahed::encoder {
namespace {

// True where a query must not see a key: [batch or 1, 1, queries or 1, keys],
// or undefined when nothing is blocked.
torch::Tensor blocked_keys(const AttentionMask& mask, int64_t batch, int64_t n_q, int64_t n_k,
                           const torch::Device& device) {
  torch::Tensor blocked;
  if (mask.causal) {
    TORCH_CHECK(n_q == n_k, "causal attention needs as many queries as keys, got ", n_q, " and ", n_k);
    blocked = torch::ones({n_q, n_k}, torch::TensorOptions().dtype(torch::kBool).device(device))
                  .triu(1)
                  .view({1, 1, n_q, n_k});
  }
  if (mask.key_lengths.defined()) {
    TORCH_CHECK(mask.key_lengths.dim() == 1 && mask.key_lengths.size(0) == batch,
                "key_lengths must be [batch=", batch, "], got ", mask.key_lengths.sizes());
    const torch::Tensor index = torch::arange(n_k, torch::TensorOptions().dtype(torch::kInt64).device(device));
    const torch::Tensor padding =
        index.view({1, n_k}).ge(mask.key_lengths.to(device, torch::kInt64).view({batch, 1})).view({batch, 1, 1, n_k});
    blocked = blocked.defined() ? blocked.logical_or(padding) : padding;
  }
  return blocked;
}

}  // namespace

torch::Tensor grouped_query_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                      const AttentionMask& mask) {
  TORCH_CHECK(q.dim() == 4 && k.dim() == 4 && v.dim() == 4, "attention: q, k, v must be 4-d");
  const int64_t batch = q.size(0), n_heads = q.size(1), n_q = q.size(2), head_dim = q.size(3);
  const int64_t n_kv_heads = k.size(1), n_k = k.size(2);
  TORCH_CHECK(k.size(0) == batch && k.size(3) == head_dim && v.sizes() == k.sizes(),
              "attention: k ", k.sizes(), " and v ", v.sizes(), " do not match q ", q.sizes());
  TORCH_CHECK(n_kv_heads > 0 && n_heads % n_kv_heads == 0, "attention: ", n_heads,
              " query heads are not a multiple of ", n_kv_heads, " key/value heads");
  const int64_t n_rep = n_heads / n_kv_heads;

  // Query head h uses key/value head h / n_rep, so folding n_rep query heads
  // into the query axis turns GQA into one batched matmul per kv head.
  const torch::Tensor q_folded = (q * (1.0 / std::sqrt(static_cast<double>(head_dim))))
                                     .reshape({batch, n_kv_heads, n_rep * n_q, head_dim});
  torch::Tensor scores = torch::matmul(q_folded, k.transpose(-2, -1))
                             .view({batch, n_heads, n_q, n_k})
                             .to(torch::kFloat32);
  if (mask.bias.defined()) {
    const torch::Tensor& bias = mask.bias;
    TORCH_CHECK(bias.dim() == 4 && (bias.size(0) == 1 || bias.size(0) == batch) &&
                    (bias.size(1) == 1 || bias.size(1) == n_heads) && bias.size(2) == n_q && bias.size(3) == n_k,
                "attention: bias must be [", batch, " or 1, ", n_heads, " or 1, ", n_q, ", ", n_k, "], got ",
                bias.sizes());
    TORCH_CHECK(bias.is_floating_point(), "attention: bias must be floating point");
    // The clamp maps -inf (and overflow) to the lowest finite value, so rows
    // blocked everywhere stay finite.
    scores = (scores + bias.to(torch::kFloat32)).clamp_min(std::numeric_limits<float>::lowest());
  }
  const torch::Tensor blocked = blocked_keys(mask, batch, n_q, n_k, q.device());
  if (blocked.defined()) scores = scores.masked_fill(blocked, std::numeric_limits<float>::lowest());
  const torch::Tensor probs = torch::softmax(scores, -1).to(v.scalar_type());
  return torch::matmul(probs.view({batch, n_kv_heads, n_rep * n_q, n_k}), v).view({batch, n_heads, n_q, head_dim});
}

torch::nn::Linear make_hf_linear(int64_t in, int64_t out, bool bias, double std) {
  torch::nn::Linear linear(torch::nn::LinearOptions(in, out).bias(bias));
  torch::NoGradGuard no_grad;
  linear->weight.normal_(0.0, std);
  if (bias) linear->bias.zero_();
  return linear;
}

AttentionImpl::AttentionImpl(const ModelConfig& config)
    : hidden_size_(config.hidden_size),
      n_heads_(config.n_heads),
      n_kv_heads_(config.n_kv_heads),
      head_dim_(config.head_dim()) {
  const double std = config.initializer_range;
  q_proj_ = register_module("q_proj", make_hf_linear(hidden_size_, n_heads_ * head_dim_, config.attention_bias, std));
  k_proj_ = register_module("k_proj", make_hf_linear(hidden_size_, n_kv_heads_ * head_dim_, config.attention_bias, std));
  v_proj_ = register_module("v_proj", make_hf_linear(hidden_size_, n_kv_heads_ * head_dim_, config.attention_bias, std));
  o_proj_ = register_module("o_proj", make_hf_linear(n_heads_ * head_dim_, hidden_size_, config.o_proj_bias(), std));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const RotaryTables& rope, const AttentionMask& mask) {
  TORCH_CHECK(x.dim() == 3 && x.size(2) == hidden_size_, "Attention: expected [batch, seq, ", hidden_size_,
              "], got ", x.sizes());
  const int64_t batch = x.size(0), seq = x.size(1);
  const torch::Tensor q = apply_rotary(q_proj_(x).view({batch, seq, n_heads_, head_dim_}).transpose(1, 2), rope);
  const torch::Tensor k = apply_rotary(k_proj_(x).view({batch, seq, n_kv_heads_, head_dim_}).transpose(1, 2), rope);
  const torch::Tensor v = v_proj_(x).view({batch, seq, n_kv_heads_, head_dim_}).transpose(1, 2);
  const torch::Tensor out = grouped_query_attention(q, k, v, mask);
  return o_proj_(out.transpose(1, 2).reshape({batch, seq, n_heads_ * head_dim_}));
}

}  // namespace bahed::encoder
