// One rank of the data-parallel tests (data_parallel_group_test.cpp starts
// 2 or 3 of these): joins the group, takes rank 0's initial parameters,
// trains its share of every step through the group and writes its final
// trainable parameters (float32, concatenated) to OUT.
// Usage: bahed_data_parallel_worker RANK WORLD RENDEZVOUS SCENARIO OUT
#include <torch/torch.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "common/clock.h"
#include "tests/trainer/distributed/lockstep_scenario.h"
#include "tests/trainer/tiny_ctr.h"
#include "trainer/ctr_trainer.h"
#include "trainer/distributed/data_parallel_group.h"

using namespace bahed;
using namespace bahed::trainer;

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: " << argv[0] << " RANK WORLD RENDEZVOUS SCENARIO OUT\n";
    return 2;
  }
  at::set_num_threads(1);
  DistributedOptions options;
  options.rank = std::stoll(argv[1]);
  options.world_size = std::stoll(argv[2]);
  options.rendezvous = argv[3];
  options.timeout_ms = 60000;
  const std::string scenario = argv[4];
  auto group = DataParallelGroup::join(options);
  if (!group.is_ok()) {
    std::cerr << group.status().to_string() << "\n";
    return 1;
  }
  const encoder::LlamaModel base = test::tiny_base(3, 1);
  FakeClock clock;
  // Every rank starts from its own seed: only the broadcast makes them equal.
  Trainer trainer(base, test::toy_options(42 + static_cast<uint64_t>(options.rank)), clock);
  std::vector<torch::Tensor> parameters = trainer.model()->trainable_parameters();
  (*group)->broadcast_from_rank0(parameters);
  trainer.set_gradient_reducer(group->get());
  for (int64_t step = 0; step < test::kLockstepSteps; ++step) {
    const std::vector<RowSpec> rows = test::rank_rows(step, options.rank, options.world_size, scenario);
    if (rows.empty()) {
      if (!trainer.idle_step()) {
        std::cerr << "step " << step << ": the group trained nothing\n";
        return 1;
      }
    } else {
      trainer.train_step(rows, test::lockstep_data().vectors);
    }
  }
  std::ofstream out(argv[5], std::ios::binary);
  for (const torch::Tensor& p : trainer.model()->trainable_parameters()) {
    const torch::Tensor f = p.detach().to(torch::kFloat32).contiguous();
    out.write(reinterpret_cast<const char*>(f.data_ptr<float>()), static_cast<std::streamsize>(f.numel() * sizeof(float)));
  }
  out << std::flush;
  std::cout << "rank " << options.rank << " steps " << trainer.n_steps() << "\n";
  return out ? 0 : 1;
}
