#pragma once
// Mlp: the SwiGLU feed-forward block, down(silu(gate(x)) * up(x)).
// Registered submodules: gate_proj, up_proj, down_proj (Hugging Face names).
#include <torch/torch.h>

#include "encoder/llm/model_config.h"

namespace bahed::encoder {

class MlpImpl : public torch::nn::Module {
 public:
  explicit MlpImpl(const ModelConfig& config);

  // x: [..., hidden_size] -> [..., hidden_size].
  torch::Tensor forward(const torch::Tensor& x);

 private:
  int64_t hidden_size_;
  torch::nn::Linear gate_proj_ = nullptr;
  torch::nn::Linear up_proj_ = nullptr;
  torch::nn::Linear down_proj_ = nullptr;
};
TORCH_MODULE(Mlp);

}  // namespace bahed::encoder
