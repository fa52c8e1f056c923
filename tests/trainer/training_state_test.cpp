#include "trainer/training_state.h"

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "tests/common/file_size_limit.h"
#include "tests/trainer/tiny_ctr.h"

namespace bahed::trainer {
namespace {

namespace fs = std::filesystem;

using bahed::testing::FileSizeLimit;

class TrainingStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    at::set_num_threads(1);
    fs::remove_all(root_);
    fs::create_directories(root_);
    // One step, so the optimizer holds moments to save.
    torch::Tensor loss = torch::zeros({});
    for (const torch::Tensor& p : model_->trainable_parameters()) loss = loss + p.square().sum();
    loss.backward();
    optimizer_.step();
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_ = fs::temp_directory_path() / ("bahed_training_state_test_" + std::to_string(::getpid()));
  encoder::LlamaModel base_ = test::tiny_base(3, 1);
  CtrModel model_ = test::tiny_ctr(base_, SlotGranularity::kBehavior, PositionScheme::kAlibi);
  torch::optim::AdamW optimizer_{model_->trainable_parameters(), torch::optim::AdamWOptions(1e-3)};
};

TEST_F(TrainingStateTest, SaveReturnsAnIOErrorNamingTheFileAndTheCauseWhenAWriteFails) {
  const fs::path dir = root_ / "v000002";
  Status saved;
  {
    FileSizeLimit limit(4096);  // below model.pt's size
    ASSERT_TRUE(limit.ok());
    saved = save_training_state(dir, *model_, optimizer_, 7);
  }
  // Before, LibTorch's writer threw from its destructor and the process
  // aborted, with no cause and no path.
  ASSERT_FALSE(saved.is_ok());
  EXPECT_EQ(saved.code(), StatusCode::kIOError);
  EXPECT_NE(saved.message().find((root_ / "v000002.tmp" / "model.pt").string()), std::string::npos) << saved.message();
  EXPECT_NE(saved.message().find(std::strerror(EFBIG)), std::string::npos) << saved.message();
  EXPECT_FALSE(fs::exists(dir));                  // nothing half-written under the version's name
  EXPECT_FALSE(fs::exists(root_ / "v000002.tmp"));  // and its space is given back
}

TEST_F(TrainingStateTest, AFailedSaveKeepsThePreviousStateOfTheSameVersion) {
  const fs::path dir = root_ / "v000003";
  ASSERT_TRUE(save_training_state(dir, *model_, optimizer_, 5).is_ok());
  {
    FileSizeLimit limit(4096);
    ASSERT_TRUE(limit.ok());
    EXPECT_FALSE(save_training_state(dir, *model_, optimizer_, 6).is_ok());
  }
  int64_t step = 0;
  ASSERT_TRUE(load_training_state(dir, *model_, optimizer_, &step).is_ok());
  EXPECT_EQ(step, 5);
}

}  // namespace
}  // namespace bahed::trainer
