#include "encoder/llm/mlp.h"

#include "encoder/llm/attention.h"

namespace bahed::encoder {

MlpImpl::MlpImpl(const ModelConfig& config) : hidden_size_(config.hidden_size) {
  const int64_t ff = config.intermediate_size;
  const double std = config.initializer_range;
  gate_proj_ = register_module("gate_proj", make_hf_linear(hidden_size_, ff, config.mlp_bias, std));
  up_proj_ = register_module("up_proj", make_hf_linear(hidden_size_, ff, config.mlp_bias, std));
  down_proj_ = register_module("down_proj", make_hf_linear(ff, hidden_size_, config.mlp_bias, std));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() >= 1 && x.size(-1) == hidden_size_, "Mlp: expected [..., ", hidden_size_, "], got ",
              x.sizes());
  return down_proj_(torch::silu(gate_proj_(x)) * up_proj_(x));
}

}  // namespace bahed::encoder
