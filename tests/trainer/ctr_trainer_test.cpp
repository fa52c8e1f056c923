#include "trainer/ctr_trainer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

#include "tests/trainer/encoded_stream.h"
#include "tests/trainer/tiny_ctr.h"
#include "tests/trainer/toy_ctr_data.h"
#include "trainer/timeline.h"

namespace bahed::trainer {
namespace {

using test::kContext;
using test::kHidden;
using test::slice;
using test::toy_data;
using test::toy_options;
using test::ToyData;

std::vector<torch::Tensor> parameters(Trainer& trainer) { return trainer.model()->trainable_parameters(); }

bool same_parameters(Trainer& a, Trainer& b) {
  const auto pa = parameters(a), pb = parameters(b);
  if (pa.size() != pb.size()) return false;
  for (size_t i = 0; i < pa.size(); ++i) {
    if (!torch::equal(pa[i], pb[i])) return false;
  }
  return true;
}

class TrainerTest : public ::testing::Test {
 protected:
  void SetUp() override { at::set_num_threads(1); }
  encoder::LlamaModel base_ = test::tiny_base(3, 1);
  FakeClock clock_;
};

TEST_F(TrainerTest, ReducesLossOnALearnableToyTask) {
  const ToyData train = toy_data(48, 4, 1);
  const ToyData held_out = toy_data(12, 4, 2);
  Trainer trainer(base_, toy_options(), clock_);
  const double auc_before = trainer.evaluate(held_out.rows, held_out.vectors).auc;
  std::vector<double> losses;
  for (size_t step = 0; step < 300; ++step) losses.push_back(trainer.train_step(slice(train.rows, step * 8, 8), train.vectors).loss);
  const double first = std::accumulate(losses.begin(), losses.begin() + 30, 0.0) / 30;
  const double last = std::accumulate(losses.end() - 30, losses.end(), 0.0) / 30;
  const EvalReport after = trainer.evaluate(held_out.rows, held_out.vectors);
  EXPECT_LT(last, first - 0.2) << "first " << first << " last " << last;
  EXPECT_GT(after.auc, 0.9) << "before " << auc_before;
  EXPECT_GT(trainer.progressive().auc(), 0.8);
  EXPECT_EQ(trainer.n_steps(), 300);
}

TEST_F(TrainerTest, SameSeedGivesIdenticalParametersAfterManySteps) {
  const ToyData data = toy_data(16, 4, 1);
  Trainer a(base_, toy_options(7), clock_);
  Trainer b(base_, toy_options(7), clock_);
  Trainer c(base_, toy_options(8), clock_);
  for (size_t step = 0; step < 20; ++step) {
    const std::vector<RowSpec> rows = slice(data.rows, step * 3, 3);
    a.train_step(rows, data.vectors);
    b.train_step(rows, data.vectors);
    c.train_step(rows, data.vectors);
  }
  EXPECT_TRUE(same_parameters(a, b));
  EXPECT_FALSE(same_parameters(a, c));
}

TEST_F(TrainerTest, ScoresEachBatchBeforeTrainingOnIt) {
  const ToyData data = toy_data(8, 4, 3);
  TrainerOptions options = toy_options();
  options.batch.max_rows = 3;  // several micro-batches
  Trainer trainer(base_, options, clock_);
  const std::vector<RowSpec> rows = slice(data.rows, 0, 10);
  const EvalReport before = trainer.evaluate(rows, data.vectors);
  const StepReport step = trainer.train_step(rows, data.vectors);
  EXPECT_GT(step.micro_batches.size(), 1u);
  ASSERT_EQ(step.logits.size(), before.logits.size());
  for (size_t i = 0; i < step.logits.size(); ++i) EXPECT_NEAR(step.logits[i], before.logits[i], 1e-5) << i;
  EXPECT_EQ(step.labels, before.labels);
  const EvalReport after = trainer.evaluate(rows, data.vectors);
  EXPECT_NE(after.logits, before.logits);  // the step changed the model
}

TEST_F(TrainerTest, RestoredStateContinuesExactlyLikeTheSavedTrainer) {
  const ToyData data = toy_data(16, 4, 1);
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "bahed_trainer_state_";
  dir += std::to_string(::getpid());
  Trainer saved(base_, toy_options(1), clock_);
  for (size_t step = 0; step < 5; ++step) saved.train_step(slice(data.rows, step * 4, 4), data.vectors);
  ASSERT_TRUE(saved.save(dir).is_ok());
  Trainer restored(base_, toy_options(99), clock_);  // another init, then overwritten
  ASSERT_FALSE(same_parameters(saved, restored));
  ASSERT_TRUE(restored.restore(dir).is_ok());
  EXPECT_TRUE(same_parameters(saved, restored));
  EXPECT_EQ(restored.n_steps(), 5);
  const std::vector<RowSpec> next = slice(data.rows, 20, 4);
  const StepReport a = saved.train_step(next, data.vectors);
  const StepReport b = restored.train_step(next, data.vectors);
  EXPECT_EQ(a.loss, b.loss);
  EXPECT_EQ(a.learning_rate, b.learning_rate);
  EXPECT_TRUE(same_parameters(saved, restored));  // optimizer moments matched too
  std::filesystem::remove_all(dir);
}

TEST_F(TrainerTest, RestoreFailsOnAMissingDirectory) {
  Trainer trainer(base_, toy_options(), clock_);
  EXPECT_FALSE(trainer.restore("/nonexistent/bahed_state").is_ok());
}

TEST_F(TrainerTest, StreamsTargetsIntoRowsOfKAndHoldsBackTrainedThroughUntilTrained) {
  test::EncodedStream stream(kHidden, kContext);
  std::vector<test::StreamEvent> events;
  for (const char c : std::string("BIBIIBI")) {
    events.push_back({"u1", c, 0});
    events.push_back({"u2", c == 'I' ? 'B' : 'I', 0});
  }
  stream.append(events);
  TrainerOptions options = toy_options();
  options.n_targets_per_row = 3;
  options.n_targets_per_step = 100;
  Trainer trainer(base_, options, clock_);
  EncodedBatch first = stream.batch(0, 5);
  first.consumed_through = {{0, 110}};
  ASSERT_TRUE(trainer.add(first).is_ok());
  EncodedBatch second = stream.batch(5, stream.targets().size());
  second.consumed_through = {{0, 114}};
  ASSERT_TRUE(trainer.add(second).is_ok());
  // u1 has 4 targets: one row of 3 ready, the 4th pending; u2 has 3: ready.
  EXPECT_EQ(trainer.n_ready_rows(), 2);
  EXPECT_EQ(trainer.n_pending_targets(), 1);
  const int64_t pending_offset = stream.targets().back().user == "u1" ? stream.targets().back().source.offset
                                                                       : stream.targets()[stream.targets().size() - 2].source.offset;
  auto report = trainer.step();
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  ASSERT_TRUE(report->has_value());
  EXPECT_EQ((*report)->n_targets, 6);
  EXPECT_EQ((*report)->n_rows, 2);
  EXPECT_EQ(trainer.trained_through()[0].next_offset, pending_offset);
  auto idle = trainer.step();
  ASSERT_TRUE(idle.is_ok());
  EXPECT_FALSE(idle->has_value());
  trainer.flush();
  auto last = trainer.step();
  ASSERT_TRUE(last.is_ok() && last->has_value());
  EXPECT_EQ((*last)->n_targets, 1);
  EXPECT_EQ(trainer.trained_through()[0].next_offset, 114);
  EXPECT_EQ(trainer.progressive().size(), 7);
}

TEST_F(TrainerTest, RejectsVectorsOfAnotherDimension) {
  test::EncodedStream stream(8, kContext);
  stream.append({{"u1", 'B', 0}, {"u1", 'I', 0}});
  Trainer trainer(base_, toy_options(), clock_);
  EXPECT_EQ(trainer.add(stream.batch(0, 1)).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bahed::trainer
