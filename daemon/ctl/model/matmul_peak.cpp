#include "daemon/ctl/model/matmul_peak.h"

#include <torch/torch.h>

#include <chrono>

namespace bahed::ctl {

MatmulPeak measure_matmul_peak(int n, double seconds) {
  torch::NoGradGuard no_grad;
  const auto a = torch::randn({n, n});
  const auto b = torch::randn({n, n});
  auto c = torch::mm(a, b);  // warm-up: thread pool, BLAS buffers
  MatmulPeak peak{0, n, static_cast<int>(at::get_num_threads())};
  const double flop = 2.0 * n * n * n;
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  do {
    const auto t0 = std::chrono::steady_clock::now();
    c = torch::mm(a, b);
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    peak.gflops = std::max(peak.gflops, flop / dt / 1e9);
  } while (std::chrono::steady_clock::now() < end);
  return peak;
}

}  // namespace bahed::ctl
