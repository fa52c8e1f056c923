#pragma once
// The machine's own float32 matrix-multiply rate, measured in the same run as
// a benchmark so that every stage can report its efficiency against it.
namespace bahed::ctl {

struct MatmulPeak {
  double gflops = 0;   // best of the rounds, GFLOP/s
  int n = 0;           // square size used
  int n_threads = 0;   // torch intra-op threads during the measurement
};

// Times torch::mm on n x n float32 matrices for about `seconds`, best round.
MatmulPeak measure_matmul_peak(int n = 1024, double seconds = 1.0);

}  // namespace bahed::ctl
