#pragma once
// GradientReducer: how one optimizer step's gradients become the same on
// every rank of a data-parallel group (trainer/distributed/ implements it
// with torch c10d). The Trainer calls reduce() after backward and before
// clipping, so clipping and AdamW see the group's gradient and every rank
// takes the identical step.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace bahed::trainer {

class GradientReducer {
 public:
  virtual ~GradientReducer() = default;
  // Every rank calls this once per step, in the same order. On entry each
  // parameter's grad is this rank's mean over its n_targets targets (an
  // undefined grad counts as zeros; n_targets == 0: the rank had no rows
  // and contributes nothing). On return every grad is the target-weighted
  // mean over the group, identical on all ranks. Returns the group's
  // targets in this step (0: nobody trained, skip the update).
  // Throws (c10::Error, std::runtime_error) when the group fails.
  virtual int64_t reduce(std::vector<torch::Tensor>& parameters, int64_t n_targets) = 0;
};

}  // namespace bahed::trainer
