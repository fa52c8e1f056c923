#pragma once
// CtrHead: the small MLP that turns a target's SUM state and item vector
// into a click logit, over [sum, item, sum * item] (BAHE's F(user (+) item)
// with an explicit interaction term).
// Registered submodules: fc1, fc2 (checkpoint names "head.fc1.weight", ...).
#include <torch/torch.h>

#include <cstdint>

namespace bahed::trainer {

class CtrHeadImpl : public torch::nn::Module {
 public:
  // Linear layers with LibTorch's default (Kaiming-uniform) init from the
  // global generator; seed it for determinism.
  CtrHeadImpl(int64_t hidden_size, int64_t n_hidden);

  // sum_state, item: [targets, hidden_size]. Returns logits [targets].
  torch::Tensor forward(const torch::Tensor& sum_state, const torch::Tensor& item);

 private:
  int64_t hidden_size_;
  torch::nn::Linear fc1_ = nullptr;  // [3 * hidden] -> [n_hidden]
  torch::nn::Linear fc2_ = nullptr;  // [n_hidden] -> [1]
};
TORCH_MODULE(CtrHead);

}  // namespace bahed::trainer
