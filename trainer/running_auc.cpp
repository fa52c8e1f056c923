#include "trainer/running_auc.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include <c10/util/Exception.h>

namespace bahed::trainer {

double exact_auc(std::span<const float> logits, std::span<const float> labels) {
  TORCH_CHECK(logits.size() == labels.size(), "exact_auc: ", logits.size(), " logits, ", labels.size(), " labels");
  std::vector<size_t> order(logits.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return logits[a] < logits[b]; });
  // Sum of the positives' ranks (1-based), a tie group sharing its average rank.
  double positive_rank_sum = 0;
  double n_positive = 0;
  for (size_t begin = 0; begin < order.size();) {
    size_t end = begin;
    double group_positive = 0;
    while (end < order.size() && logits[order[end]] == logits[order[begin]]) group_positive += labels[order[end++]] > 0.5f;
    positive_rank_sum += group_positive * (static_cast<double>(begin + 1 + end) / 2.0);
    n_positive += group_positive;
    begin = end;
  }
  const double n_negative = static_cast<double>(logits.size()) - n_positive;
  if (n_positive == 0 || n_negative == 0) return std::numeric_limits<double>::quiet_NaN();
  return (positive_rank_sum - n_positive * (n_positive + 1) / 2.0) / (n_positive * n_negative);
}

double mean_logloss(std::span<const float> logits, std::span<const float> labels) {
  TORCH_CHECK(logits.size() == labels.size(), "mean_logloss: ", logits.size(), " logits, ", labels.size(), " labels");
  if (logits.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (size_t i = 0; i < logits.size(); ++i) {
    // -log sigmoid(z) for a click, -log(1 - sigmoid(z)) = -log sigmoid(-z) otherwise.
    const double z = labels[i] > 0.5f ? logits[i] : -static_cast<double>(logits[i]);
    sum += std::max(-z, 0.0) + std::log1p(std::exp(-std::abs(z)));
  }
  return sum / static_cast<double>(logits.size());
}

RunningAuc::RunningAuc(int64_t window) : window_(window) {
  TORCH_CHECK(window >= 1, "RunningAuc: window=", window);
}

void RunningAuc::add(float logit, float label) {
  logits_.push_back(logit);
  labels_.push_back(label);
  if (size() > window_) {
    logits_.pop_front();
    labels_.pop_front();
  }
}

void RunningAuc::add(std::span<const float> logits, std::span<const float> labels) {
  TORCH_CHECK(logits.size() == labels.size(), "RunningAuc: ", logits.size(), " logits, ", labels.size(), " labels");
  for (size_t i = 0; i < logits.size(); ++i) add(logits[i], labels[i]);
}

double RunningAuc::auc() const {
  const std::vector<float> logits(logits_.begin(), logits_.end());
  const std::vector<float> labels(labels_.begin(), labels_.end());
  return exact_auc(logits, labels);
}

double RunningAuc::logloss() const {
  const std::vector<float> logits(logits_.begin(), logits_.end());
  const std::vector<float> labels(labels_.begin(), labels_.end());
  return mean_logloss(logits, labels);
}

}  // namespace bahed::trainer
