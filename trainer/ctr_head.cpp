#include "trainer/ctr_head.h"

namespace bahed::trainer {

CtrHeadImpl::CtrHeadImpl(int64_t hidden_size, int64_t n_hidden) : hidden_size_(hidden_size) {
  fc1_ = register_module("fc1", torch::nn::Linear(3 * hidden_size, n_hidden));
  fc2_ = register_module("fc2", torch::nn::Linear(n_hidden, 1));
}

torch::Tensor CtrHeadImpl::forward(const torch::Tensor& sum_state, const torch::Tensor& item) {
  TORCH_CHECK(sum_state.dim() == 2 && sum_state.size(1) == hidden_size_ && item.sizes() == sum_state.sizes(),
              "CtrHead: sum_state and item must be [targets, ", hidden_size_, "], got ", sum_state.sizes(), " and ",
              item.sizes());
  const torch::Tensor features = torch::cat({sum_state, item, sum_state * item}, 1);
  return fc2_(torch::silu(fc1_(features))).squeeze(1);
}

}  // namespace bahed::trainer
