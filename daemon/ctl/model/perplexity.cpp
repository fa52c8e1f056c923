#include "daemon/ctl/model/perplexity.h"

#include <algorithm>

namespace bahed::ctl {
namespace {

int64_t windows_to_score(const PackedWindows& heldout, int64_t max_tokens) {
  if (max_tokens <= 0) return heldout.n_windows();
  return std::min(heldout.n_windows(), std::max<int64_t>(1, max_tokens / heldout.seq_len()));
}

}  // namespace

HeldoutLoss evaluate_model(encoder::LlamaModel& model, const PackedWindows& heldout, int64_t batch_size,
                           int64_t max_tokens) {
  const bool was_training = model->is_training();
  model->eval();
  torch::NoGradGuard no_grad;
  const int64_t n = windows_to_score(heldout, max_tokens);
  const int64_t seq_len = heldout.seq_len();
  double total_nll = 0.0;
  for (int64_t begin = 0; begin < n; begin += batch_size) {
    const int64_t rows = std::min(batch_size, n - begin);
    std::vector<torch::Tensor> windows;
    windows.reserve(static_cast<size_t>(rows));
    for (int64_t i = 0; i < rows; ++i) windows.push_back(heldout.window(begin + i));
    const torch::Tensor batch = torch::stack(windows);
    const torch::Tensor input = batch.slice(1, 0, seq_len);
    const torch::Tensor target = batch.slice(1, 1, seq_len + 1).reshape({-1});
    const torch::Tensor lengths = torch::full({rows}, seq_len, torch::kInt64);
    const torch::Tensor logits = model->forward_tokens(input, lengths);
    const torch::Tensor nll = torch::nn::functional::cross_entropy(
        logits.reshape({-1, logits.size(-1)}).to(torch::kFloat32), target,
        torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
    total_nll += nll.item<double>();
  }
  model->train(was_training);
  const int64_t n_tokens = n * seq_len;
  return {total_nll / static_cast<double>(n_tokens), n_tokens};
}

std::vector<int64_t> count_tokens(const std::vector<int32_t>& tokens, int64_t n_vocab) {
  std::vector<int64_t> counts(static_cast<size_t>(n_vocab), 0);
  for (int32_t t : tokens) {
    if (t >= 0 && t < n_vocab) ++counts[static_cast<size_t>(t)];
  }
  return counts;
}

HeldoutLoss evaluate_unigram(const std::vector<int64_t>& counts, const PackedWindows& heldout, int64_t max_tokens) {
  int64_t total = 0;
  for (int64_t c : counts) total += c;
  const double denominator = static_cast<double>(total) + static_cast<double>(counts.size());
  const int64_t n = windows_to_score(heldout, max_tokens);
  const int64_t n_tokens = n * heldout.seq_len();
  const std::vector<int32_t>& tokens = heldout.tokens();
  double total_nll = 0.0;
  // Targets are tokens [1, n * seq_len], see the header.
  for (int64_t i = 1; i <= n_tokens; ++i) {
    const int32_t t = tokens[static_cast<size_t>(i)];
    const int64_t c = t >= 0 && static_cast<size_t>(t) < counts.size() ? counts[static_cast<size_t>(t)] : 0;
    total_nll -= std::log((static_cast<double>(c) + 1.0) / denominator);
  }
  return {total_nll / static_cast<double>(n_tokens), n_tokens};
}

}  // namespace bahed::ctl
