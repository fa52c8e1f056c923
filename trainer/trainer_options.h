#pragma once
// TrainerOptions: how the CTR model is trained. YAML keys are
// `trainer.<name>` (`trainer.lr`, `trainer.n_targets_per_row`); the model's
// own options keep their flat keys (`trainer.position_scheme`,
// ctr_model_options.h) and micro-batch limits sit under `trainer.batch.`
// (batch_planner.h).
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/status.h"
#include "trainer/batch_planner.h"
#include "trainer/ctr_model_options.h"

namespace bahed::trainer {

// Learning rate after the linear warm-up.
enum class LrSchedule {
  // "constant": stays at lr (online learning never ends, so nothing to
  // anneal towards).
  kConstant,
  // "cosine": half a cosine from lr down to min_lr_ratio * lr over
  // decay_steps steps, then stays there (fixed-length offline runs).
  kCosine,
};

std::string_view lr_schedule_name(LrSchedule schedule);
std::optional<LrSchedule> parse_lr_schedule(std::string_view name);

struct TrainerOptions {
  // Model: granularity, position scheme, forgetting, head width.
  CtrModelOptions model;
  // Micro-batches: one optimizer step may run as several forward/backward
  // passes (gradients accumulated) so activation memory stays bounded.
  BatchPlanOptions batch;

  // n: a target sees at most its last n behaviors. Must equal the encoder's
  // context length. Default: 50.
  int64_t n_context = 50;
  // k: targets packed into one DTI row; 1 gives sliding-window rows. More
  // targets share one context (cheaper per target) but rows wait longer to
  // fill. Default: 50.
  int64_t n_targets_per_row = 50;
  // Targets per optimizer step (whole rows are taken until adding one more
  // would exceed it; a step has at least one row). Larger steps run closer
  // to the matmul peak but update the model less often. Default: 256.
  int64_t n_targets_per_step = 256;
  // BAHE: one slot per target (item + SUM vector, row_layout.h) instead of
  // two; a third fewer slots per target in DTI rows. Default: true.
  bool fused_target_slot = true;
  // A user's pending targets are emitted as a (shorter) row once the oldest
  // has waited this long, so quiet users still get trained. Default: 60000.
  int64_t max_wait_ms = 60000;
  // Most targets waiting for their rows to fill, over all users; beyond it
  // the rows begun earliest leave short. Bounds the work a checkpoint
  // barrier (which trains every pending target) adds under a backlog, at
  // the cost of shorter rows when many users are active at once.
  // Default: 8192.
  int64_t max_pending_targets = 8192;

  // AdamW peak learning rate. Default: 0.0003.
  double lr = 3e-4;
  // AdamW decoupled weight decay, on matrices only (not on norms, biases or
  // the SUM vector). Default: 0.01.
  double weight_decay = 0.01;
  // AdamW betas and epsilon. Default: 0.9, 0.999, 1e-8.
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  // Steps of linear warm-up from lr / warmup_steps to lr; 0 is none.
  // Default: 100.
  int64_t warmup_steps = 100;
  // After warm-up. Default: kConstant.
  LrSchedule lr_schedule = LrSchedule::kConstant;
  // kCosine only: steps from lr to min_lr_ratio * lr. Default: 10000.
  int64_t decay_steps = 10000;
  // kCosine only: floor as a fraction of lr. Default: 0.1.
  double min_lr_ratio = 0.1;
  // Gradients are clipped to this global L2 norm; 0 is off. Default: 1.0.
  double max_grad_norm = 1.0;
  // Seeds the SUM vector and head initialization; two trainers with the
  // same seed, options and data end with identical parameters. Default: 42.
  uint64_t seed = 42;
  // Progressive validation: AUC and logloss over the last auc_window
  // targets, each scored before it was trained on. Default: 10000.
  int64_t auc_window = 10000;

  Status validate() const;
};

// The learning rate of optimizer step `step` (0-based).
double learning_rate_at(const TrainerOptions& options, int64_t step);

}  // namespace bahed::trainer
