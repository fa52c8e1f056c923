#pragma once
// Tiny random CTR setups for trainer tests: a small Llama (hidden 32, 4
// heads, 2 kv heads), a random behavior-vector table and token table over
// the same ids, and synthetic user timelines. Header-only test helper.
#include <torch/torch.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "encoder/llm/llama_model.h"
#include "trainer/ctr_model.h"
#include "trainer/row_batch.h"
#include "trainer/row_layout.h"
#include "trainer/timeline.h"
#include "trainer/token_table.h"

namespace bahed::trainer::test {

inline encoder::ModelConfig tiny_config(int64_t n_layers) {
  encoder::ModelConfig c;
  c.hidden_size = 32;
  c.intermediate_size = 64;
  c.n_layers = n_layers;
  c.n_heads = 4;
  c.n_kv_heads = 2;
  c.n_vocab = 61;
  c.rms_norm_eps = 1e-5;
  c.rope_theta = 10000.0;
  return c;
}

// A base model with large random weights (norm scales near 1), so every
// weight and every visible slot moves the output.
inline encoder::LlamaModel tiny_base(int64_t n_layers, int64_t n_layers_shallow, uint64_t seed = 11) {
  encoder::LlmOptions options;
  options.n_layers_shallow = n_layers_shallow;
  encoder::LlamaModel model(tiny_config(n_layers), options);
  torch::manual_seed(seed);
  torch::NoGradGuard no_grad;
  for (auto& item : model->named_parameters()) {
    torch::Tensor p = item.value();
    if (item.key().find("norm.weight") != std::string::npos) {
      p.copy_(1.0 + 0.2 * torch::randn_like(p));
    } else {
      p.normal_(0.0, 0.15);
    }
  }
  return model;
}

inline CtrModel tiny_ctr(const encoder::LlamaModel& base, SlotGranularity granularity, PositionScheme scheme,
                         double forgetting = 0.0, uint64_t seed = 5) {
  CtrModelOptions options;
  options.granularity = granularity;
  options.position_scheme = scheme;
  options.forgetting = forgetting;
  options.n_head_hidden = 16;
  torch::manual_seed(seed);
  return CtrModel(base, options);
}

// n_texts random vectors [n_texts, 32] and, for the same ids, 1..4 random tokens each.
struct TextTables {
  torch::Tensor vectors;
  TokenTable tokens;
};

inline TextTables random_tables(int64_t n_texts, uint64_t seed = 3) {
  TextTables out;
  torch::manual_seed(seed);
  out.vectors = torch::randn({n_texts, 32});
  std::mt19937_64 rng(seed);
  for (int64_t id = 0; id < n_texts; ++id) {
    std::vector<int64_t> tokens(1 + rng() % 4);
    for (int64_t& t : tokens) t = static_cast<int64_t>(rng() % 61);
    out.tokens.add(tokens);
  }
  return out;
}

// A user who sees n_targets impressions; each is followed by its history
// entry (id history_id(t) = n_items + t, unique), and a random number (0-2)
// of other behaviors come between targets. Item ids are < n_items. Texts
// needed: n_items + n_targets + n_other.
struct TimelineShape {
  int64_t n_items = 20;
  int64_t n_targets = 24;
  int64_t n_other = 10;  // ids n_items + n_targets .. + n_other - 1
};

inline int64_t n_texts(const TimelineShape& s) { return s.n_items + s.n_targets + s.n_other; }
inline int64_t history_id(const TimelineShape& s, int64_t target) { return s.n_items + target; }

inline Timeline random_timeline(const TimelineShape& s, uint64_t seed = 9) {
  std::mt19937_64 rng(seed);
  Timeline timeline;
  for (int64_t i = 0; i < 3; ++i) timeline.behaviors.push_back(s.n_items + s.n_targets + static_cast<int64_t>(rng() % s.n_other));
  for (int64_t t = 0; t < s.n_targets; ++t) {
    const auto n_between = static_cast<int64_t>(rng() % 3);
    for (int64_t i = 0; i < n_between; ++i) {
      timeline.behaviors.push_back(s.n_items + s.n_targets + static_cast<int64_t>(rng() % s.n_other));
    }
    timeline.targets.push_back({static_cast<int64_t>(rng() % s.n_items), static_cast<float>(rng() % 2),
                                static_cast<int64_t>(timeline.behaviors.size())});
    timeline.behaviors.push_back(history_id(s, t));
  }
  return timeline;
}

// Lays out rows and stacks them into one batch.
inline RowBatch layout_batch(const std::vector<RowSpec>& rows, const RowLayoutBuilder& builder) {
  std::vector<RowLayout> layouts;
  for (const RowSpec& row : rows) layouts.push_back(builder.build(row));
  std::vector<const RowLayout*> pointers;
  for (const RowLayout& layout : layouts) pointers.push_back(&layout);
  return collate_rows(pointers);
}

}  // namespace bahed::trainer::test
