// Data-parallel training over torch c10d (Gloo) with real processes on
// loopback: N ranks training B rows each must end with the parameters of
// one process training the N x B rows (to float tolerance), identical on
// every rank, also when a rank has no rows for a step (zero weight).
#include "trainer/distributed/data_parallel_group.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "tests/trainer/distributed/lockstep_scenario.h"
#include "tests/trainer/tiny_ctr.h"
#include "trainer/ctr_trainer.h"

extern char** environ;

namespace bahed::trainer {
namespace {

namespace fs = std::filesystem;

uint16_t free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::vector<float> read_floats(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<float> out(fs::exists(file) ? fs::file_size(file) / sizeof(float) : 0);
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size() * sizeof(float)));
  return out;
}

// Starts `world` workers and returns each rank's final parameters (empty
// for a rank that failed; its exit status is reported).
std::vector<std::vector<float>> run_ranks(int world, const std::string& scenario) {
  const fs::path dir = fs::temp_directory_path() / ("bahed-dp-" + std::to_string(getpid()) + "-" + scenario);
  fs::create_directories(dir);
  const std::string rendezvous = "127.0.0.1:" + std::to_string(free_port());
  std::vector<pid_t> pids;
  for (int rank = 0; rank < world; ++rank) {
    const std::string out = (dir / ("rank" + std::to_string(rank))).string();
    std::vector<std::string> args = {BAHED_DP_WORKER, std::to_string(rank), std::to_string(world), rendezvous,
                                     scenario, out};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    EXPECT_EQ(posix_spawn(&pid, BAHED_DP_WORKER, nullptr, nullptr, argv.data(), environ), 0);
    pids.push_back(pid);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (size_t r = 0; r < pids.size(); ++r) {
    int status = 0;
    while (waitpid(pids[r], &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pids[r], SIGKILL);
        waitpid(pids[r], &status, 0);
        ADD_FAILURE() << "rank " << r << " did not finish in 120 s";
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "rank " << r << " status " << status;
  }
  std::vector<std::vector<float>> out;
  for (int rank = 0; rank < world; ++rank) out.push_back(read_floats(dir / ("rank" + std::to_string(rank))));
  fs::remove_all(dir);
  return out;
}

// One process training every step's whole batch.
std::vector<float> reference_parameters() {
  at::set_num_threads(1);
  const encoder::LlamaModel base = test::tiny_base(3, 1);
  FakeClock clock;
  Trainer trainer(base, test::toy_options(42), clock);
  for (int64_t step = 0; step < test::kLockstepSteps; ++step) {
    trainer.train_step(test::global_rows(step), test::lockstep_data().vectors);
  }
  std::vector<float> out;
  for (const torch::Tensor& p : trainer.model()->trainable_parameters()) {
    const torch::Tensor f = p.detach().to(torch::kFloat32).contiguous();
    out.insert(out.end(), f.data_ptr<float>(), f.data_ptr<float>() + f.numel());
  }
  return out;
}

void expect_same_training(const std::vector<std::vector<float>>& ranks) {
  const std::vector<float> reference = reference_parameters();
  ASSERT_FALSE(reference.empty());
  for (size_t r = 0; r < ranks.size(); ++r) {
    ASSERT_EQ(ranks[r].size(), reference.size()) << "rank " << r;
    // Every rank applied the identical update: bit for bit.
    EXPECT_TRUE(ranks[r] == ranks[0]) << "rank " << r << " differs from rank 0";
    double max_diff = 0;
    for (size_t i = 0; i < reference.size(); ++i) {
      max_diff = std::max(max_diff, static_cast<double>(std::abs(ranks[r][i] - reference[i])));
    }
    EXPECT_LT(max_diff, 2e-5) << "rank " << r << " vs one process";
    std::cout << "rank " << r << " of " << ranks.size() << ": max |parameter difference| vs one process " << max_diff
              << "\n";
  }
}

TEST(DataParallelGroup, TwoRanksOfBatchBTrainLikeOneRankOfBatch2B) { expect_same_training(run_ranks(2, "split")); }

TEST(DataParallelGroup, ThreeRanksStayInLockstepWhenOneHasNoRowsForAStep) {
  expect_same_training(run_ranks(3, "idle"));
}

TEST(DataParallelGroup, WithoutTheGroupOrWithOtherSeedsParametersDiffer) {
  // The test above could pass vacuously if training changed nothing.
  at::set_num_threads(1);
  const encoder::LlamaModel base = test::tiny_base(3, 1);
  FakeClock clock;
  Trainer a(base, test::toy_options(42), clock);
  Trainer b(base, test::toy_options(42), clock);
  for (int64_t step = 0; step < test::kLockstepSteps; ++step) {
    a.train_step(test::global_rows(step), test::lockstep_data().vectors);
    b.train_step(test::rank_rows(step, 0, 2, "split"), test::lockstep_data().vectors);  // half the data
  }
  const auto pa = a.model()->trainable_parameters(), pb = b.model()->trainable_parameters();
  double max_diff = 0;
  for (size_t i = 0; i < pa.size(); ++i) max_diff = std::max(max_diff, (pa[i] - pb[i]).abs().max().item<double>());
  EXPECT_GT(max_diff, 1e-3);
  EXPECT_FALSE(a.idle_step());  // no group: nothing to take part in
}

TEST(DataParallelGroup, NamesTheSettingAtFault) {
  DistributedOptions o;
  o.world_size = 2;
  o.rank = 2;
  EXPECT_NE(o.validate().message().find("distributed.rank"), std::string::npos);
  o.rank = 1;
  o.rendezvous = "localhost";
  EXPECT_NE(o.validate().message().find("distributed.rendezvous"), std::string::npos);
  o.rendezvous = "10.0.0.1:29500";
  EXPECT_TRUE(o.validate().is_ok());
  EXPECT_EQ(o.host(), "10.0.0.1");
  EXPECT_EQ(o.port(), 29500);
  o.backend = "mpi";
  EXPECT_NE(o.validate().message().find("distributed.backend"), std::string::npos);
}

TEST(DataParallelGroup, ARankWhosePeersNeverComeFailsAfterTheTimeout) {
  DistributedOptions o;
  o.world_size = 2;
  o.rank = 1;  // rank 0, which hosts the store, never starts
  o.rendezvous = "127.0.0.1:" + std::to_string(free_port());
  o.timeout_ms = 1500;
  const auto started = std::chrono::steady_clock::now();
  auto group = DataParallelGroup::join(o);
  ASSERT_FALSE(group.is_ok());
  EXPECT_EQ(group.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(group.status().message().find(o.rendezvous), std::string::npos) << group.status().to_string();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(60));
}

}  // namespace
}  // namespace bahed::trainer
