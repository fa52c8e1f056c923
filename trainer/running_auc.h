#pragma once
// Click-prediction metrics: exact ROC AUC and logloss over logits, for one
// evaluation set or a sliding window of the last W targets (progressive
// validation: each target scored before it was trained on).
//
// Thread safety: functions are pure; RunningAuc is a value, one thread.
#include <cstdint>
#include <deque>
#include <span>

namespace bahed::trainer {

// Probability that a random clicked target scores above a random skipped
// one, ties counting 1/2 (Mann-Whitney U over average ranks). Exact,
// O(n log n). NaN when either class is absent. labels: 1 = clicked.
double exact_auc(std::span<const float> logits, std::span<const float> labels);

// Mean binary cross-entropy of sigmoid(logit) against the labels, computed
// stably from the logits. NaN when empty.
double mean_logloss(std::span<const float> logits, std::span<const float> labels);

class RunningAuc {
 public:
  // Keeps the last `window` (logit, label) pairs; window >= 1.
  explicit RunningAuc(int64_t window);

  void add(float logit, float label);
  void add(std::span<const float> logits, std::span<const float> labels);

  // Over the pairs in the window, recomputed exactly on each call
  // (O(W log W)); NaN as above.
  double auc() const;
  double logloss() const;
  int64_t size() const { return static_cast<int64_t>(logits_.size()); }
  int64_t window() const { return window_; }

 private:
  int64_t window_;
  std::deque<float> logits_;
  std::deque<float> labels_;
};

}  // namespace bahed::trainer
