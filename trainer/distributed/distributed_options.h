#pragma once
// DistributedOptions: how a bahed process joins a data-parallel group.
// YAML keys are `distributed.<name>`. world_size 1 (the default) is a
// single process and none of this is used.
#include <cstdint>
#include <string>

#include "common/status.h"

namespace bahed::trainer {

struct DistributedOptions {
  // Processes in the group; each is a bahed in the same Kafka consumer
  // group. Default: 1 (not distributed).
  int64_t world_size = 1;
  // This process's rank, 0 .. world_size - 1. Rank 0 hosts the rendezvous
  // store, publishes versions and broadcasts the initial parameters.
  // Default: 0.
  int64_t rank = 0;
  // HOST:PORT of rank 0's rendezvous store (a torch c10d TCPStore), reachable
  // from every rank. Default: "127.0.0.1:29500".
  std::string rendezvous = "127.0.0.1:29500";
  // "gloo" (CPU, any build) or "nccl" (CUDA builds). Default: "gloo".
  std::string backend = "gloo";
  // Network interface gloo uses ("lo", "eth0"); empty: the one the host
  // name resolves to. Default: "".
  std::string interface;
  // How long joining and every collective may take before the rank fails
  // (and exits non-zero, to be restarted from the last version). Default: 60000.
  int64_t timeout_ms = 60000;
  // A rank without rows to train waits this long for some before taking
  // part in the group's step with zero weight (the others wait for it).
  // Default: 200.
  int64_t idle_step_ms = 200;

  bool enabled() const { return world_size > 1; }
  // Host and port of `rendezvous` (after validate()).
  std::string host() const;
  uint16_t port() const;
  Status validate() const;
};

}  // namespace bahed::trainer
