#pragma once
// DataParallelGroup: this process's membership in a group of bahed
// trainers, on torch's c10d: rank 0 hosts a TCPStore for the rendezvous,
// and a ProcessGroupGloo (CPU) or ProcessGroupNCCL (CUDA builds) carries
// the collectives. It is the GradientReducer the Trainer steps through:
// gradients are scaled by the rank's targets, summed over the group in one
// all-reduce (the targets ride along as the buffer's last element) and
// divided by the group's targets, so a rank without rows weighs nothing
// and every rank applies the identical update.
//
// Every collective must be called by all ranks in the same order; the
// daemon's lockstep loop (daemon/training_loop.cpp) guarantees it.
// Thread safety: none; the trainer's thread owns it.
#include <torch/torch.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "trainer/distributed/distributed_options.h"
#include "trainer/gradient_reducer.h"

namespace bahed::trainer {

class DataParallelGroup : public GradientReducer {
 public:
  // Joins (blocks until every rank has joined or options.timeout_ms
  // passes). Unavailable when the rendezvous fails, InvalidArgument for
  // options that do not validate or a backend this build lacks.
  static Result<std::unique_ptr<DataParallelGroup>> join(const DistributedOptions& options);
  ~DataParallelGroup() override;

  int64_t rank() const;
  int64_t world_size() const;

  int64_t reduce(std::vector<torch::Tensor>& parameters, int64_t n_targets) override;
  // Time spent in reduce() so far (flattening, the all-reduce, writing the
  // mean back), in seconds; readable from any thread.
  double reduce_seconds() const { return reduce_ns_.load() / 1e9; }
  // Overwrites `tensors` on every rank with rank 0's (initial parameters,
  // optimizer state after a restore).
  void broadcast_from_rank0(std::vector<torch::Tensor>& tensors);
  // Element-wise sum over the group (flags, counts).
  std::vector<int64_t> sum(const std::vector<int64_t>& values);
  // A key-value exchange through the rendezvous store: every rank sets its
  // value, then reads all of them, in rank order.
  std::vector<std::string> all_gather_strings(const std::string& key, const std::string& value);

 private:
  class Impl;
  explicit DataParallelGroup(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::atomic<uint64_t> reduce_ns_{0};
};

}  // namespace bahed::trainer
