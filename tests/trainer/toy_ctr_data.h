#pragma once
// A learnable toy CTR task for trainer tests (and the data-parallel
// worker): a click is an item vector near the (normalized) mean of the
// target's context vectors, a skip a random vector. Header-only.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "trainer/row_spec.h"
#include "trainer/timeline.h"
#include "trainer/trainer_options.h"

namespace bahed::trainer::test {

constexpr int64_t kContext = 6;
constexpr int64_t kHidden = 32;

// A learnable toy task: a click is an item vector near the (normalized)
// mean of the target's context vectors, a skip a random vector. Rows are
// DTI rows of k targets (1: sliding-window).
struct ToyData {
  torch::Tensor vectors;  // [n, 32]
  std::vector<RowSpec> rows;
};

// Behaviors come from one fixed pool of 40 vectors; `seed` draws the users.
inline ToyData toy_data(int64_t n_users, int64_t n_targets_per_row, uint64_t seed) {
  const int64_t n_pool = 40;
  std::vector<torch::Tensor> vectors;
  torch::manual_seed(1234);
  for (int64_t i = 0; i < n_pool; ++i) vectors.push_back(torch::randn({kHidden}));
  torch::manual_seed(seed);
  std::mt19937_64 rng(seed);
  ToyData out;
  for (int64_t u = 0; u < n_users; ++u) {
    Timeline timeline;
    for (int64_t t = 0; t < 16; ++t) {
      for (uint64_t i = 0; i < 1 + rng() % 2; ++i) timeline.behaviors.push_back(static_cast<int64_t>(rng() % n_pool));
      const auto n_before = static_cast<int64_t>(timeline.behaviors.size());
      torch::Tensor mean = torch::zeros({kHidden});
      for (int64_t b = std::max<int64_t>(0, n_before - kContext); b < n_before; ++b) mean += vectors[timeline.behaviors[b]];
      const bool click = rng() % 2 == 0;
      const torch::Tensor item = click ? mean / mean.norm() * std::sqrt(static_cast<double>(kHidden)) +
                                             0.5 * torch::randn({kHidden})
                                       : torch::randn({kHidden});
      vectors.push_back(item);
      timeline.targets.push_back({static_cast<int64_t>(vectors.size()) - 1, click ? 1.0f : 0.0f, n_before});
    }
    for (RowSpec& row : timeline_rows(timeline, kContext, n_targets_per_row)) out.rows.push_back(std::move(row));
  }
  out.vectors = torch::stack(vectors);
  return out;
}

inline TrainerOptions toy_options(uint64_t seed = 42) {
  TrainerOptions options;
  options.n_context = kContext;
  options.n_targets_per_row = 4;
  options.model.n_head_hidden = 16;
  options.lr = 3e-3;
  options.warmup_steps = 10;
  options.seed = seed;
  return options;
}

// Rows [first, first + n) of `rows`, cyclically.
inline std::vector<RowSpec> slice(const std::vector<RowSpec>& rows, size_t first, size_t n) {
  std::vector<RowSpec> out;
  for (size_t i = 0; i < n; ++i) out.push_back(rows[(first + i) % rows.size()]);
  return out;
}

}  // namespace bahed::trainer::test
