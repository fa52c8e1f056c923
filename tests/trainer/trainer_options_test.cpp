#include "trainer/trainer_options.h"

#include <gtest/gtest.h>

namespace bahed::trainer {
namespace {

TEST(TrainerOptions, DefaultsValidateAndBadValuesNameTheirKey) {
  EXPECT_TRUE(TrainerOptions{}.validate().is_ok());
  TrainerOptions options;
  options.n_targets_per_row = 0;
  EXPECT_NE(options.validate().message().find("trainer.n_targets_per_row"), std::string::npos);
  options = TrainerOptions{};
  options.lr = -1;
  EXPECT_NE(options.validate().message().find("trainer.lr"), std::string::npos);
  options = TrainerOptions{};
  options.batch.max_rows = 0;
  EXPECT_NE(options.validate().message().find("trainer.batch.max_rows"), std::string::npos);
}

TEST(LearningRateAt, WarmsUpLinearlyThenHoldsOrDecaysByCosine) {
  TrainerOptions options;
  options.lr = 1.0;
  options.warmup_steps = 4;
  EXPECT_DOUBLE_EQ(learning_rate_at(options, 0), 0.25);
  EXPECT_DOUBLE_EQ(learning_rate_at(options, 3), 1.0);
  EXPECT_DOUBLE_EQ(learning_rate_at(options, 1000), 1.0);
  options.lr_schedule = LrSchedule::kCosine;
  options.decay_steps = 10;
  options.min_lr_ratio = 0.1;
  EXPECT_DOUBLE_EQ(learning_rate_at(options, 4), 1.0);
  EXPECT_NEAR(learning_rate_at(options, 9), 0.1 + 0.9 * 0.5, 1e-12);
  EXPECT_NEAR(learning_rate_at(options, 14), 0.1, 1e-12);
  EXPECT_NEAR(learning_rate_at(options, 99), 0.1, 1e-12);
}

}  // namespace
}  // namespace bahed::trainer
