#pragma once
// Held-out evaluation: the model's mean next-token loss and perplexity, and
// a unigram baseline scored on exactly the same target tokens, so the two
// perplexities are comparable.
//
// Targets: the held-out stream is cut into windows of seq_len + 1 tokens as
// in PackedWindows (stride seq_len); all full windows up to the token limit
// count, each scoring its last seq_len tokens. The tail shorter than a window
// is not scored by either.
#include <cmath>
#include <cstdint>
#include <vector>

#include "daemon/ctl/model/packed_windows.h"
#include "encoder/llm/llama_model.h"

namespace bahed::ctl {

struct HeldoutLoss {
  double mean_nll = 0.0;  // nats per target token
  int64_t n_tokens = 0;   // target tokens scored

  double perplexity() const { return std::exp(mean_nll); }
};

// The model's cross-entropy over the first `max_tokens` target tokens
// (rounded down to whole windows; <= 0 means all), `batch_size` windows per
// forward pass. Runs in eval mode without gradients and restores the
// previous train/eval mode.
HeldoutLoss evaluate_model(encoder::LlamaModel& model, const PackedWindows& heldout, int64_t batch_size,
                           int64_t max_tokens);

// Token frequencies of a training stream, [n_vocab] (ids outside are ignored).
std::vector<int64_t> count_tokens(const std::vector<int32_t>& tokens, int64_t n_vocab);

// Unigram model with add-one smoothing, p(t) = (count(t) + 1) / (N + V),
// scored on the same targets as evaluate_model(heldout, max_tokens).
HeldoutLoss evaluate_unigram(const std::vector<int64_t>& counts, const PackedWindows& heldout, int64_t max_tokens);

}  // namespace bahed::ctl
