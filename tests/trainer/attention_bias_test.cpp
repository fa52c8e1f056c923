#include "trainer/attention_bias.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <vector>

#include "trainer/row_batch.h"
#include "trainer/row_layout.h"

namespace bahed::trainer {
namespace {

std::vector<float> as_vector(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous().to(torch::kFloat32);
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

TEST(AlibiSlopes, MatchesTheAlibiPaperForPowerOfTwoAndOtherHeadCounts) {
  std::vector<float> eight;
  for (int h = 1; h <= 8; ++h) eight.push_back(static_cast<float>(std::pow(2.0, -h)));
  EXPECT_EQ(as_vector(alibi_slopes(8)), eight);
  // 6 heads: the 4-head slopes, then every other 8-head slope.
  const std::vector<float> six = {0.25f, 0.0625f, 0.015625f, 0.00390625f, 0.5f, 0.125f};
  EXPECT_EQ(as_vector(alibi_slopes(6)), six);
}

// Two rows: [b0 b1 item0 sum0] and [b0 item0 sum0] padded to 4 slots.
RowBatch small_batch() {
  RowSpec a;
  a.behaviors = {0, 1};
  a.targets = {{5, 1.0f, 0, 2}};
  RowSpec b;
  b.behaviors = {2};
  b.targets = {{6, 0.0f, 0, 1}};
  const RowLayoutBuilder builder({SlotGranularity::kBehavior, 4}, nullptr);
  const RowLayout la = builder.build(a), lb = builder.build(b);
  const std::vector<const RowLayout*> rows = {&la, &lb};
  return collate_rows(rows);
}

TEST(WindowBias, BlocksPaddingAndFutureAndAddsForgettingBetweenBehaviorsOnly) {
  const RowBatch batch = small_batch();
  ASSERT_EQ(batch.n_slots(), 4);
  const float inf = std::numeric_limits<float>::infinity();
  const torch::Tensor bias = window_bias(batch, 0.5);
  ASSERT_EQ(bias.sizes(), (std::vector<int64_t>{2, 1, 4, 4}));
  // Row 0: b1 sees b0 with forgetting 0.5 * 1; the SUM slot sees both behaviors
  // and its item without forgetting.
  EXPECT_EQ(as_vector(bias[0][0]), (std::vector<float>{0, -inf, -inf, -inf,  //
                                                       -0.5f, 0, -inf, -inf,  //
                                                       0, 0, 0, -inf,        //
                                                       0, 0, 0, 0}));
  // Row 1: slot 3 is padding: seen by nobody, sees nothing.
  EXPECT_EQ(as_vector(bias[1][0]), (std::vector<float>{0, -inf, -inf, -inf,  //
                                                       0, 0, -inf, -inf,     //
                                                       0, 0, 0, -inf,        //
                                                       -inf, -inf, -inf, -inf}));
}

TEST(AddAlibi, SubtractsSlopeTimesPositionDistancePerHead) {
  const RowBatch batch = small_batch();
  const torch::Tensor slopes = alibi_slopes(2);  // 1/16, 1/256
  const torch::Tensor bias = add_alibi(window_bias(batch, 0.0), batch.position, slopes);
  ASSERT_EQ(bias.sizes(), (std::vector<int64_t>{2, 2, 4, 4}));
  // Row 0, SUM (position 3) to b0 (position 0): distance 3.
  EXPECT_FLOAT_EQ(bias[0][0][3][0].item<float>(), -3.0f / 16.0f);
  EXPECT_FLOAT_EQ(bias[0][1][3][0].item<float>(), -3.0f / 256.0f);
  EXPECT_FLOAT_EQ(bias[0][1][3][3].item<float>(), 0.0f);
  EXPECT_TRUE(std::isinf(bias[0][0][0][1].item<float>()));
}

}  // namespace
}  // namespace bahed::trainer
