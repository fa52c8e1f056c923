#pragma once
// Training state on disk: what a restarted trainer needs to continue exactly
// where it stopped. Serving needs only the model (checkpoints/ publishes
// that); this adds the optimizer's moments, the step count and the RNG.
//
//   <dir>/model.pt      trainable parameters, keyed by registered name
//   <dir>/optimizer.pt  AdamW state (torch::optim serialization)
//   <dir>/trainer.pt    step, global CPU generator state
//
// Written into <dir>.tmp and renamed over <dir>, so a crash leaves either
// the old or the new state, never a mix. Blocking file I/O.
// Thread safety: none; the caller serializes access to model and optimizer.
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>

#include "common/status.h"
#include "trainer/ctr_model.h"

namespace bahed::trainer {

[[nodiscard]] Status save_training_state(const std::filesystem::path& dir, CtrModelImpl& model,
                                         const torch::optim::Optimizer& optimizer, int64_t step);

// Loads into a model of the same configuration and its optimizer (built
// over the same parameters). Corruption when a parameter is missing, extra
// or of another shape; IOError when a file cannot be read. On failure the
// model may be partly loaded: start again from a fresh trainer.
[[nodiscard]] Status load_training_state(const std::filesystem::path& dir, CtrModelImpl& model,
                                         torch::optim::Optimizer& optimizer, int64_t* step);

}  // namespace bahed::trainer
