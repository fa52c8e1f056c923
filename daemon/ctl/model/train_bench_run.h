#pragma once
// One trainer of `bahectl bench train` over the benchmark data: build its
// rows (one code path for all four: timeline_rows with k = 1 or k), train
// for some epochs with the shared Trainer, time it, count its FLOPs, then
// score the held-out targets. Runs in the calling process; the command
// forks around it to measure memory (forked_run.h).
#include <torch/torch.h>

#include <cstdint>
#include <span>
#include <string>

#include "daemon/ctl/model/train_bench_data.h"
#include "encoder/llm/llama_model.h"
#include "trainer/ctr_trainer.h"
#include "trainer/token_table.h"

namespace bahed::ctl {

// Which trainer: granularity and row shape.
struct TrainerSetup {
  std::string key;    // "bahe_dti", JSON and table key
  std::string label;  // "BAHE DTI"
  trainer::SlotGranularity granularity = trainer::SlotGranularity::kBehavior;
  int64_t n_context = 50;
  int64_t n_targets_per_row = 1;  // 1 = sliding window
};

struct TrainRunOptions {
  // Everything but granularity, n_context and n_targets_per_row, which come
  // from the setup.
  trainer::TrainerOptions trainer;
  int64_t epochs = 1;
  // Progress lines on stderr about this often (0: none).
  double progress_every_s = 30.0;
};

// Crosses the fork pipe as bytes: plain numbers only.
struct TrainRunResult {
  int64_t n_users = 0;
  int64_t n_train_targets = 0;  // per epoch
  int64_t n_train_rows = 0;     // per epoch
  int64_t n_steps = 0;          // all epochs
  int64_t n_targets_trained = 0;  // all epochs
  int64_t n_held_out = 0;
  int64_t max_micro_batch_targets = 0;  // most targets in one forward/backward pass
  double train_seconds = 0;     // optimizer steps only (rows are built before)
  double flops = 0;             // forward + backward of all steps
  double final_loss = 0;        // mean over the last tenth of the steps
  double progressive_auc = 0;   // last auc_window targets, scored before training on them
  double held_out_auc = 0;      // one target per row (the serving view)
  double held_out_logloss = 0;
  double packed_auc = 0;        // DTI: held-out targets scored in packed rows; NaN otherwise
  double leakage_gap = 0;       // DTI: mean |packed - sliding| held-out logit; NaN otherwise
  int64_t peak_rss_delta_bytes = 0;  // filled by the caller

  double seconds_per_1000_targets() const;
};

// `users` index data.users. vectors: [n_texts, hidden] (BAHE); tokens: the
// same ids as token lists (token-level). Throws c10::Error on bad input.
TrainRunResult run_trainer(const TrainBenchData& data, std::span<const size_t> users,
                           const encoder::LlamaModel& base, const torch::Tensor& vectors,
                           const trainer::TokenTable& tokens, const TrainerSetup& setup,
                           const TrainRunOptions& options);

}  // namespace bahed::ctl
