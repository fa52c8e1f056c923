#include "trainer/ctr_model.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "tests/trainer/tiny_ctr.h"
#include "trainer/row_layout.h"
#include "trainer/timeline.h"

namespace bahed::trainer {
namespace {

using namespace test;

constexpr int64_t kContext = 6;

struct Variant {
  SlotGranularity granularity;
  PositionScheme scheme;
  bool fused = false;  // one slot per BAHE target
};

std::string name(const Variant& v) {
  return std::string(slot_granularity_name(v.granularity)) + "/" + std::string(position_scheme_name(v.scheme)) +
         (v.fused ? "/fused" : "");
}

const std::vector<Variant>& all_variants() {
  static const std::vector<Variant> variants = {{SlotGranularity::kBehavior, PositionScheme::kAlibi},
                                                {SlotGranularity::kBehavior, PositionScheme::kRotary},
                                                {SlotGranularity::kToken, PositionScheme::kAlibi},
                                                {SlotGranularity::kToken, PositionScheme::kRotary},
                                                {SlotGranularity::kBehavior, PositionScheme::kAlibi, true},
                                                {SlotGranularity::kBehavior, PositionScheme::kRotary, true}};
  return variants;
}

// A base model with n_trained layers that the row runs through with mixing
// across slots: BAHE runs only the deep layers, token-level all layers.
encoder::LlamaModel base_for(SlotGranularity granularity, int64_t n_trained) {
  return granularity == SlotGranularity::kBehavior ? tiny_base(n_trained + 1, 1) : tiny_base(n_trained, 0);
}

torch::Tensor logits(CtrModel& model, const std::vector<RowSpec>& rows, const TextTables& tables, bool fused) {
  const RowLayoutBuilder builder({model->options().granularity, kContext, fused}, &tables.tokens);
  model->eval();
  torch::NoGradGuard no_grad;
  return model(layout_batch(rows, builder), tables.vectors);
}

// Mean |packed - sliding| logit over every target of the timeline.
double leakage_gap(CtrModel& model, const Timeline& timeline, const TextTables& tables, int64_t n_targets_per_row,
                   bool fused) {
  const torch::Tensor packed = logits(model, timeline_rows(timeline, kContext, n_targets_per_row), tables, fused);
  const torch::Tensor sliding = logits(model, timeline_rows(timeline, kContext, 1), tables, fused);
  EXPECT_EQ(packed.sizes(), sliding.sizes());
  return (packed - sliding).abs().mean().item<double>();
}

TEST(CtrModel, PackedLogitEqualsSlidingWindowLogitWithOneLayer) {
  const TimelineShape shape;
  const TextTables tables = random_tables(n_texts(shape));
  const Timeline timeline = random_timeline(shape);
  for (const Variant& v : all_variants()) {
    CtrModel model = tiny_ctr(base_for(v.granularity, 1), v.granularity, v.scheme);
    const torch::Tensor packed = logits(model, timeline_rows(timeline, kContext, 8), tables, v.fused);
    const torch::Tensor sliding = logits(model, timeline_rows(timeline, kContext, 1), tables, v.fused);
    ASSERT_EQ(packed.size(0), shape.n_targets) << name(v);
    EXPECT_LT((packed - sliding).abs().max().item<double>(), 1e-5) << name(v);
    // Not trivially equal: logits differ between targets.
    EXPECT_GT(sliding.std().item<double>(), 1e-3) << name(v);
  }
}

TEST(CtrModel, LeakageGapIsPositiveWithThreeLayersAndShrinksWithForgetting) {
  const TimelineShape shape;
  const TextTables tables = random_tables(n_texts(shape));
  const Timeline timeline = random_timeline(shape);
  for (const Variant& v : all_variants()) {
    const encoder::LlamaModel base = base_for(v.granularity, 3);
    CtrModel plain = tiny_ctr(base, v.granularity, v.scheme, 0.0);
    CtrModel forgetting = tiny_ctr(base, v.granularity, v.scheme, 2.0);
    const double gap = leakage_gap(plain, timeline, tables, 8, v.fused);
    const double gap_forgetting = leakage_gap(forgetting, timeline, tables, 8, v.fused);
    EXPECT_GT(gap, 1e-3) << name(v);
    EXPECT_LT(gap_forgetting, gap) << name(v);
  }
}

TEST(CtrModel, TargetNeverSeesItsOwnHistoryEntryOrLaterBehaviors) {
  const TimelineShape shape;
  const TextTables tables = random_tables(n_texts(shape));
  const Timeline timeline = random_timeline(shape);
  const std::vector<RowSpec> rows = timeline_rows(timeline, kContext, shape.n_targets);  // one row, all targets
  ASSERT_EQ(rows.size(), 1u);
  const int64_t planted_target = 10;
  const int64_t planted = history_id(shape, planted_target);
  // The same tables, but the planted behavior (target 10's own history
  // entry, which would carry its label) has another vector and other tokens.
  TextTables leaked = random_tables(n_texts(shape));
  leaked.vectors[planted] = 50.0 * torch::randn({32});
  TokenTable leaked_tokens;
  for (int64_t id = 0; id < tables.tokens.size(); ++id) {
    std::vector<int64_t> tokens(tables.tokens.tokens(id).begin(), tables.tokens.tokens(id).end());
    if (id == planted) {
      for (int64_t& t : tokens) t = (t + 17) % 61;
    }
    leaked_tokens.add(tokens);
  }
  leaked.tokens = leaked_tokens;
  for (const Variant& v : all_variants()) {
    CtrModel model = tiny_ctr(base_for(v.granularity, 3), v.granularity, v.scheme);
    const torch::Tensor before = logits(model, rows, tables, v.fused);
    const torch::Tensor after = logits(model, rows, leaked, v.fused);
    for (int64_t t = 0; t < shape.n_targets; ++t) {
      const int64_t begin = rows[0].targets[t].window_begin, end = rows[0].targets[t].window_end;
      if (t <= planted_target) {
        EXPECT_EQ(before[t].item<float>(), after[t].item<float>()) << name(v) << " target " << t;
      } else {
        // Later targets that have it in their context do see it.
        bool in_context = false;
        for (int64_t b = begin; b < end; ++b) in_context = in_context || rows[0].behaviors[b] == planted;
        if (in_context) {
          EXPECT_GT(std::abs(before[t].item<float>() - after[t].item<float>()), 1e-4) << name(v) << " target " << t;
        }
      }
    }
  }
}

TEST(CtrModel, OnlyDeepLayersSumVectorActionEmbeddingAndHeadAreTrainable) {
  const encoder::LlamaModel base = tiny_base(3, 1);
  CtrModel model = tiny_ctr(base, SlotGranularity::kBehavior, PositionScheme::kAlibi);
  std::set<const void*> trainable;
  for (const torch::Tensor& p : model->trainable_parameters()) trainable.insert(p.unsafeGetTensorImpl());
  for (const auto& item : model->named_parameters()) {
    const std::string& key = item.key();
    const bool expected = key.rfind("llm.model.layers.1.", 0) == 0 || key.rfind("llm.model.layers.2.", 0) == 0 ||
                          key == "llm.model.norm.weight" || key == "sum_vector" || key == "action_embedding" ||
                          key.rfind("head.", 0) == 0;
    EXPECT_EQ(trainable.count(item.value().unsafeGetTensorImpl()) > 0, expected) << key;
    EXPECT_EQ(item.value().requires_grad(), expected) << key;
  }
  // Frozen tensors alias the base; trained ones are copies that start equal.
  const auto base_params = base->named_parameters();
  EXPECT_EQ(model->named_parameters()["llm.model.embed_tokens.weight"].data_ptr(),
            base_params["model.embed_tokens.weight"].data_ptr());
  const torch::Tensor copied = model->named_parameters()["llm.model.layers.2.mlp.up_proj.weight"];
  EXPECT_NE(copied.data_ptr(), base_params["model.layers.2.mlp.up_proj.weight"].data_ptr());
  EXPECT_TRUE(torch::equal(copied, base_params["model.layers.2.mlp.up_proj.weight"]));
}

}  // namespace
}  // namespace bahed::trainer
