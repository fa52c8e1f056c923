// The streaming trainer learns what only the history's actions reveal.
//
// Each user clicks with their own rate (0.2 or 0.8); items are random
// vectors that say nothing about the label and share a large common
// component, like the demo model's pooled vectors (|mean| ~ 0.96 of |v|).
// The only signal is the user's past clicks, carried by the context's
// actions. Targets go through the streaming path (EncodedBatch -> add ->
// step), so a misaligned label, vector or action anywhere on it shows as an
// AUC near 0.5; the control without actions shows the test can fail.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/encoded_batch.h"
#include "tests/trainer/tiny_ctr.h"
#include "trainer/ctr_trainer.h"

namespace bahed::trainer {
namespace {

constexpr int64_t kHidden = 32;
constexpr size_t kContext = 8;

// Batches of impressions of 64 users, in Kafka order, with each target's
// context the user's last kContext impressions (item vector + action).
std::vector<EncodedBatch> click_history_stream(bool with_actions) {
  std::mt19937_64 rng(3);
  torch::manual_seed(3);
  const int64_t n_items = 40;
  const torch::Tensor common = torch::randn({kHidden}) * 4.0;
  const torch::Tensor items = (common + torch::randn({n_items, kHidden})).contiguous();
  std::vector<double> rate(64);
  for (double& r : rate) r = rng() % 2 == 0 ? 0.2 : 0.8;
  std::map<int, std::vector<ContextBehavior>> history;
  std::vector<EncodedBatch> out;
  int64_t offset = 0;
  for (int b = 0; b < 60; ++b) {
    EncodedBatch batch;
    batch.dimension = kHidden;
    batch.vectors.assign(items.data_ptr<float>(), items.data_ptr<float>() + n_items * kHidden);
    for (int e = 0; e < 64; ++e) {
      const int user = static_cast<int>(rng() % rate.size());
      EncodedTarget t;
      t.user = "u" + std::to_string(user);
      t.source = {0, offset++};
      t.event_time_ms = t.source.offset;
      t.label = std::uniform_real_distribution<double>(0, 1)(rng) < rate[user] ? 1 : 0;
      t.item_vector = static_cast<uint32_t>(rng() % n_items);
      std::vector<ContextBehavior>& h = history[user];
      t.context.assign(h.size() > kContext ? h.end() - kContext : h.begin(), h.end());
      h.push_back({t.item_vector, with_actions ? action_of_label(t.label) : BehaviorAction::kNone, t.source,
                   t.event_time_ms});
      batch.targets.push_back(std::move(t));
    }
    batch.consumed_through = {{0, offset}};
    out.push_back(std::move(batch));
  }
  return out;
}

double progressive_auc_after_streaming(bool with_actions) {
  at::set_num_threads(1);
  const encoder::LlamaModel base = test::tiny_base(3, 1);
  FakeClock clock;
  TrainerOptions options;
  options.n_context = kContext;
  options.n_targets_per_row = 4;
  options.n_targets_per_step = 64;
  options.model.n_head_hidden = 16;
  options.lr = 3e-3;
  options.warmup_steps = 10;
  options.auc_window = 1500;  // the last part of the stream
  Trainer trainer(base, options, clock);
  for (const EncodedBatch& batch : click_history_stream(with_actions)) {
    EXPECT_TRUE(trainer.add(batch).is_ok());
    for (;;) {
      auto report = trainer.step();
      EXPECT_TRUE(report.is_ok());
      if (!report.is_ok() || !report->has_value()) break;
    }
  }
  return trainer.progressive().auc();
}

TEST(StreamedClickHistory, TrainerLearnsTheUsersClickRateFromContextActions) {
  const double auc = progressive_auc_after_streaming(/*with_actions=*/true);
  const double control = progressive_auc_after_streaming(/*with_actions=*/false);
  // The best possible AUC here is ~0.8 (rates 0.2 vs 0.8); without actions
  // nothing is learnable.
  EXPECT_GT(auc, 0.68) << "control " << control;
  EXPECT_LT(control, 0.58) << "with actions " << auc;
  std::printf("progressive AUC with actions %.3f, without %.3f\n", auc, control);
}

}  // namespace
}  // namespace bahed::trainer
