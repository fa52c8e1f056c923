#pragma once
// PretrainState: the resumable state of `bahectl pretrain` under
// `<out>/.pretrain_state/`:
//   state.json         what the state belongs to (options fingerprint, corpus hash)
//   tokenizer.model    the trained tokenizer, reused on resume
//   ckpt-<step>/       model.pt, optimizer.pt (AdamW moments and step counts),
//                      rng.pt (torch's CPU generator), progress.json
// A checkpoint is written to ckpt-<step>.tmp/, fsynced and renamed, so a
// crash leaves either the previous checkpoint or the new one; older ones are
// then deleted. Resuming restores everything a step depends on: weights,
// optimizer state, step (which fixes the data order and learning rate) and
// the generator.
//
// LibTorch's serialization throws c10::Error; these methods catch it and
// return Corruption or IOError. Not thread-safe; one process per directory.
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "common/result.h"
#include "common/status.h"
#include "encoder/llm/llama_model.h"

namespace bahed::ctl {

// Which run a state belongs to; a resume must match both.
struct StateIdentity {
  std::string fingerprint;  // PretrainOptions::fingerprint()
  std::string corpus_hash;  // PretrainCorpus::content_hash, 16 hex digits
};

// Where training stands after `step` optimizer steps.
struct TrainProgress {
  int64_t step = 0;
  int64_t tokens_seen = 0;
  double train_seconds = 0.0;  // time inside training steps, summed over runs
  double ema_loss = 0.0;       // exponential moving average of the step loss
  int64_t n_losses = 0;        // steps folded into ema_loss (for bias correction)

  // The bias-corrected moving average, as Adam corrects its moments.
  double smoothed_loss() const;
  void add_loss(double loss);
};

class PretrainState {
 public:
  explicit PretrainState(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path tokenizer_path() const { return dir_ / "tokenizer.model"; }

  // Creates the directory. IOError on failure.
  Status create() const;
  // NotFound when there is no state.json (a fresh start).
  Result<StateIdentity> read_identity() const;
  Status write_identity(const StateIdentity& identity) const;

  // Writes ckpt-<step> atomically, then removes older checkpoints.
  Status save_checkpoint(const TrainProgress& progress, const encoder::LlamaModel& model,
                         const torch::optim::Optimizer& optimizer) const;
  // Loads the newest complete checkpoint into `model` and `optimizer` (built
  // with the same shapes and parameter order) and restores the generator.
  // nullopt when there is none.
  Result<std::optional<TrainProgress>> load_latest(encoder::LlamaModel& model, torch::optim::Optimizer& optimizer) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace bahed::ctl
