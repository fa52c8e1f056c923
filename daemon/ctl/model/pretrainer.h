#pragma once
// Pretrainer: the causal-LM training loop of `bahectl pretrain`. One object
// owns the model, AdamW and the progress; train() runs steps over packed
// windows, evaluates on held-out windows, checkpoints into a PretrainState
// and stops early (with a checkpoint) when asked.
//
// Determinism: the initial weights come from torch's generator seeded with
// options.seed, the batches from (seed, step), and nothing else is random
// (no dropout). With the same thread count, an interrupted and resumed run
// produces bit-identical weights to an uninterrupted one.
//
// Thread safety: none; one thread drives it. c10::Error from LibTorch is
// caught in train() and returned as Internal.
#include <torch/torch.h>

#include <functional>
#include <memory>

#include "common/result.h"
#include "daemon/ctl/model/packed_windows.h"
#include "daemon/ctl/model/perplexity.h"
#include "daemon/ctl/model/pretrain_options.h"
#include "daemon/ctl/model/pretrain_state.h"
#include "encoder/llm/llama_model.h"

namespace bahed::ctl {

// Observers and the stop request; every member may be empty.
struct TrainHooks {
  // Checked before each step; true ends the run after a checkpoint.
  std::function<bool()> stop_requested;
  // After each step: progress so far, the step's learning rate and loss.
  std::function<void(const TrainProgress&, double lr, double loss)> on_step;
  // After each interval evaluation.
  std::function<void(const TrainProgress&, const HeldoutLoss&)> on_eval;
};

class Pretrainer {
 public:
  // A fresh model (seeded init) of options.model_config(n_vocab) and AdamW
  // with decay on matrices only. Options must be valid.
  Pretrainer(const PretrainOptions& options, int64_t n_vocab);

  // Continues from the newest checkpoint in `state`, if any. Returns whether
  // one was loaded.
  Result<bool> resume(const PretrainState& state);

  // Trains up to options.total_steps(). Returns true when done (a final
  // checkpoint is written), false when stop_requested ended it early (a
  // checkpoint of the last step is written). Internal when the loss is not
  // finite or LibTorch fails; IOError when a checkpoint cannot be written.
  Result<bool> train(PackedWindows& data, const PackedWindows& heldout, const PretrainState& state,
                     const TrainHooks& hooks);

  encoder::LlamaModel& model() { return model_; }
  const TrainProgress& progress() const { return progress_; }
  // Distinct parameters (the tied lm_head counted once), and without the
  // embedding table.
  int64_t n_parameters() const;
  int64_t n_parameters_non_embedding() const;

 private:
  double step(PackedWindows& data);

  PretrainOptions options_;
  encoder::LlamaModel model_ = nullptr;
  std::vector<torch::Tensor> parameters_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  TrainProgress progress_;
};

}  // namespace bahed::ctl
