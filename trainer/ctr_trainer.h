#pragma once
// Trainer: the one training loop for all four trainers {token-level, BAHE}
// x {sliding-window, DTI}; they differ only in TrainerOptions (granularity,
// n_targets_per_row), never in code. The daemon includes only this header.
//
// Owns a CtrModel (deep layers from the base model, SUM vector, head) and
// AdamW over its trainable parameters only (weight decay on matrices),
// linear warm-up then a constant or cosine learning rate, global-norm
// gradient clipping. Deterministic: the same seed, options and inputs give
// bit-identical parameters (at a fixed torch thread count).
//
// Two ways in:
//   offline (benchmark, tests): train_step() over rows the caller built
//     (timeline.h) with ids into a vector table (BAHE) or the TokenTable
//     (token-level); evaluate() for held-out metrics.
//   streaming (daemon, BAHE only): add() each EncodedBatch; targets wait
//     per user and leave as DTI rows of k (pending_targets.h states when);
//     step() runs one optimizer step over the oldest ready rows.
// Progressive validation in both: every target is scored by the parameters
// it has not yet been trained on; progressive() keeps AUC and logloss over
// the last auc_window of those scores.
//
// Errors: the offline calls throw c10::Error on a broken precondition (rows
// that do not validate, a mismatched table). The streaming calls and
// save/restore catch it and return a Status instead (one catch point for
// the stage), Internal for a LibTorch failure.
// Thread safety: none; one thread owns the trainer.
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "common/clock.h"
#include "common/encoded_batch.h"
#include "common/result.h"
#include "common/status.h"
#include "common/target_audit.h"
#include "encoder/llm/llama_model.h"
#include "trainer/ctr_model.h"
#include "trainer/gradient_reducer.h"
#include "trainer/pending_targets.h"
#include "trainer/row_layout.h"
#include "trainer/row_spec.h"
#include "trainer/running_auc.h"
#include "trainer/token_table.h"
#include "trainer/trainer_options.h"

namespace bahed::trainer {

// One forward/backward pass of a step: rows x padded length (FLOP counts),
// and the targets it held (activation memory per target).
struct MicroBatchShape {
  int64_t n_rows = 0;
  int64_t n_slots = 0;
  int64_t n_targets = 0;
};

struct StepReport {
  int64_t step = 0;           // 0-based index of this optimizer step
  double loss = 0;            // mean BCE of the step's targets, before the update
  double learning_rate = 0;   // used for this step
  double grad_norm = 0;       // global L2 norm before clipping
  int64_t n_rows = 0;
  int64_t n_targets = 0;
  std::vector<MicroBatchShape> micro_batches;
  // Progressive scores: each target's logit from the parameters before this
  // step, in row order then target order; and its label.
  std::vector<float> logits;
  std::vector<float> labels;
};

struct EvalReport {
  double auc = 0;      // exact; NaN when one class is absent
  double logloss = 0;  // NaN when empty
  int64_t n_targets = 0;
  std::vector<float> logits;  // row order, then target order
  std::vector<float> labels;
};

class Trainer {
 public:
  // `base` gives the deep layers' initial weights and the frozen shallow
  // half (token-level). `tokens` is required for token granularity, unused
  // otherwise; it and `clock` must outlive the trainer. Precondition
  // (checked): options.validate() is OK. Seeds the global torch generator
  // with options.seed before building the model.
  Trainer(const encoder::LlamaModel& base, const TrainerOptions& options, const Clock& clock,
          const TokenTable* tokens = nullptr);

  // Offline. One optimizer step over `rows` (all of them, in micro-batches
  // bounded by options.batch, gradients accumulated). vectors: [n, hidden]
  // on the model's device and dtype, the table BAHE ids index; undefined for
  // token-level. Each target's progressive score is the logit of this
  // step's own forward pass, taken before the update: the model has no
  // dropout, so it equals an eval()-mode, no-grad scoring of the batch
  // (tested), without paying for a second forward pass.
  StepReport train_step(std::span<const RowSpec> rows, const torch::Tensor& vectors);
  // Held-out scoring in eval() under NoGradGuard; changes nothing.
  EvalReport evaluate(std::span<const RowSpec> rows, const torch::Tensor& vectors);

  // Data-parallel training (trainer/distributed/): every step's gradients
  // go through `reducer` (nullptr: none, the default) before clipping and
  // the update. It must outlive the trainer.
  void set_gradient_reducer(GradientReducer* reducer) { reducer_ = reducer; }
  // A lockstep step for a rank without rows: contributes zero weight to
  // the group's reduction and applies the group's update when any rank
  // trained, so parameters and optimizer state stay identical. Returns
  // whether an update was applied; false without a reducer.
  bool idle_step();
  // Makes this trainer's state another's: calls `exchange` once with every
  // tensor of the training state in a fixed order (trainable parameters,
  // each one's AdamW moments, created as zeros when the optimizer has not
  // stepped yet, and the step counts), expecting them overwritten in place
  // (DataParallelGroup::broadcast_from_rank0), then adopts the step counts.
  void exchange_state(const std::function<void(std::vector<torch::Tensor>&)>& exchange);

  // Streaming. Queues the batch's targets; InvalidArgument when its vectors
  // do not match the model's hidden size or the granularity is not BAHE.
  [[nodiscard]] Status add(const EncodedBatch& batch);
  // Emits rows whose wait is over, then trains one step over ready rows
  // (oldest first, up to n_targets_per_step targets). nullopt when no row is
  // ready.
  Result<std::optional<StepReport>> step();
  // Emits every pending target as a row (barrier, shutdown); step() then
  // trains them.
  void flush() { pending_.flush(); }
  // Emits the rows of users whose oldest target waited max_wait_ms (step()
  // does it too).
  void emit_expired() { pending_.emit_expired(); }
  int64_t n_ready_rows() const { return pending_.n_ready_rows(); }
  int64_t n_pending_targets() const { return pending_.n_pending_targets(); }
  int64_t n_ready_targets() const { return pending_.n_ready_targets(); }
  // Per partition, the offset of the first event not yet trained into the
  // model: what a checkpoint taken now may record.
  std::vector<PartitionWatermark> trained_through() const { return pending_.trained_through(); }

  // Training state (training_state.h): trainable parameters, optimizer
  // moments, step count, RNG. Restore into a trainer built with the same
  // base and options; the next step then equals the saved trainer's next.
  [[nodiscard]] Status save(const std::filesystem::path& dir);
  [[nodiscard]] Status restore(const std::filesystem::path& dir);
  // Continues a published lineage: the step count (the learning-rate
  // schedule's position; restore() sets it too), the targets trained and
  // their audit, as the version's manifest recorded them.
  void resume_lineage(int64_t n_steps, int64_t n_targets_trained, TargetAudit audit);

  const RunningAuc& progressive() const { return progressive_; }
  int64_t n_steps() const { return n_steps_; }
  int64_t n_targets_trained() const { return n_targets_trained_; }
  // Streamed targets trained, per partition (common/target_audit.h).
  const TargetAudit& audit() const { return audit_; }
  const TrainerOptions& options() const { return options_; }
  CtrModel& model() { return model_; }

 private:
  std::vector<RowLayout> layouts(std::span<const RowSpec> rows) const;
  // Reduces across the group (when there is one), clips, applies AdamW at
  // this step's learning rate. Returns false (nothing applied) when the
  // group trained no target.
  bool apply_gradients(int64_t n_targets, StepReport* report);

  TrainerOptions options_;
  CtrModel model_ = nullptr;
  RowLayoutBuilder builder_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  std::vector<torch::Tensor> trainable_;
  PendingTargets pending_;
  RunningAuc progressive_;
  int64_t n_steps_ = 0;
  int64_t n_targets_trained_ = 0;
  TargetAudit audit_;
  GradientReducer* reducer_ = nullptr;
};

}  // namespace bahed::trainer
