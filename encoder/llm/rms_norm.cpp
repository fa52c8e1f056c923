#include "encoder/llm/rms_norm.h"

namespace bahed::encoder {

RmsNormImpl::RmsNormImpl(int64_t hidden_size, double eps) : hidden_size_(hidden_size), eps_(eps) {
  TORCH_CHECK(hidden_size > 0 && eps > 0.0, "RmsNorm needs hidden_size > 0 and eps > 0");
  reset();
}

void RmsNormImpl::reset() { weight_ = register_parameter("weight", torch::ones({hidden_size_})); }

torch::Tensor RmsNormImpl::forward(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() >= 1 && x.size(-1) == hidden_size_, "RmsNorm: expected [..., ", hidden_size_, "], got ",
              x.sizes());
  const torch::Tensor x32 = x.to(torch::kFloat32);
  const torch::Tensor inv_rms = torch::rsqrt(x32.pow(2).mean(-1, /*keepdim=*/true) + eps_);
  // Cast back before scaling: the order Hugging Face uses, which matters in bf16.
  return weight_ * (x32 * inv_rms).to(x.scalar_type());
}

}  // namespace bahed::encoder
