#include "encoder/llm/decoder_layer.h"

namespace bahed::encoder {

DecoderLayerImpl::DecoderLayerImpl(const ModelConfig& config) : hidden_size_(config.hidden_size) {
  input_layernorm_ = register_module("input_layernorm", RmsNorm(config.hidden_size, config.rms_norm_eps));
  self_attn_ = register_module("self_attn", Attention(config));
  post_attention_layernorm_ =
      register_module("post_attention_layernorm", RmsNorm(config.hidden_size, config.rms_norm_eps));
  mlp_ = register_module("mlp", Mlp(config));
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, const RotaryTables& rope, const AttentionMask& mask) {
  TORCH_CHECK(x.dim() == 3 && x.size(2) == hidden_size_, "DecoderLayer: expected [batch, seq, ", hidden_size_,
              "], got ", x.sizes());
  const torch::Tensor h = x + self_attn_(input_layernorm_(x), rope, mask);
  return h + mlp_(post_attention_layernorm_(h));
}

}  // namespace bahed::encoder
