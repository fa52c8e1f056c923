#include "trainer/running_auc.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace bahed::trainer {
namespace {

// Every (clicked, skipped) pair: 1 when the clicked one scores higher, 1/2 on a tie.
double brute_force_auc(const std::vector<float>& logits, const std::vector<float>& labels) {
  double wins = 0, pairs = 0;
  for (size_t i = 0; i < logits.size(); ++i) {
    for (size_t j = 0; j < logits.size(); ++j) {
      if (labels[i] != 1.0f || labels[j] != 0.0f) continue;
      pairs += 1;
      wins += logits[i] > logits[j] ? 1.0 : logits[i] == logits[j] ? 0.5 : 0.0;
    }
  }
  return wins / pairs;
}

TEST(ExactAuc, EqualsBruteForcePairwiseAucWithManyTies) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<float> logits, labels;
    for (int i = 0; i < 200; ++i) {
      labels.push_back(static_cast<float>(rng() % 3 == 0));
      // Few distinct values, so ties are common; clicks score a bit higher.
      logits.push_back(static_cast<float>(rng() % 7) + labels.back());
    }
    EXPECT_NEAR(exact_auc(logits, labels), brute_force_auc(logits, labels), 1e-12) << "trial " << trial;
  }
}

TEST(ExactAuc, IsNanWhenOneClassIsMissing) {
  EXPECT_TRUE(std::isnan(exact_auc(std::vector<float>{1, 2}, std::vector<float>{1, 1})));
  EXPECT_EQ(exact_auc(std::vector<float>{3, 3}, std::vector<float>{1, 0}), 0.5);
}

TEST(RunningAuc, CoversExactlyTheLastWindowPairs) {
  std::mt19937_64 rng(3);
  std::normal_distribution<float> normal;
  RunningAuc running(50);
  std::vector<float> logits, labels;
  for (int i = 0; i < 300; ++i) {
    const float label = static_cast<float>(rng() % 2);
    const float logit = normal(rng) + label;
    running.add(logit, label);
    logits.push_back(logit);
    labels.push_back(label);
    if (i % 37 != 0 || i < 60) continue;
    const std::vector<float> window_logits(logits.end() - 50, logits.end());
    const std::vector<float> window_labels(labels.end() - 50, labels.end());
    EXPECT_EQ(running.size(), 50);
    EXPECT_NEAR(running.auc(), brute_force_auc(window_logits, window_labels), 1e-12);
    EXPECT_NEAR(running.logloss(), mean_logloss(window_logits, window_labels), 1e-12);
  }
}

TEST(MeanLogloss, MatchesTheDefinitionAndStaysFiniteForLargeLogits) {
  const std::vector<float> logits = {0.0f, 2.0f, -1.0f, 100.0f};
  const std::vector<float> labels = {1.0f, 0.0f, 0.0f, 1.0f};
  auto sigmoid = [](double z) { return 1.0 / (1.0 + std::exp(-z)); };
  const double expected =
      (-std::log(sigmoid(0.0)) - std::log(1 - sigmoid(2.0)) - std::log(1 - sigmoid(-1.0)) + 0.0) / 4.0;
  EXPECT_NEAR(mean_logloss(logits, labels), expected, 1e-9);
  EXPECT_NEAR(mean_logloss(std::vector<float>{-100.0f}, std::vector<float>{1.0f}), 100.0, 1e-9);
}

}  // namespace
}  // namespace bahed::trainer
