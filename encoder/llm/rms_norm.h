#pragma once
// RmsNorm: root-mean-square layer norm with a learned scale and no bias
// (Llama, Qwen2). Registered parameter: "weight" [hidden_size].
#include <torch/torch.h>

namespace bahed::encoder {

class RmsNormImpl : public torch::nn::Module {
 public:
  RmsNormImpl(int64_t hidden_size, double eps);

  // Sets the scale to ones (Hugging Face's initialization).
  void reset();

  // x: [..., hidden_size] -> [..., hidden_size], same dtype. Statistics are
  // taken in float32 whatever the input dtype, as Hugging Face does, so
  // bf16/fp16 models match their reference.
  torch::Tensor forward(const torch::Tensor& x);

  const torch::Tensor& weight() const { return weight_; }

 private:
  int64_t hidden_size_;
  double eps_;
  // Per-channel scale [hidden_size].
  torch::Tensor weight_;
};
TORCH_MODULE(RmsNorm);

}  // namespace bahed::encoder
