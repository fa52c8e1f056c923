#pragma once
// What `bahectl bench train` measured, and how it is shown: the per-trainer
// table, the ratios side by side (BAHE vs token-level, DTI vs sliding
// window, both), the sweeps over n and k, and the plot's panels.
#include <string>
#include <vector>

#include "daemon/ctl/bench_report.h"
#include "daemon/ctl/model/train_bench_plot.h"
#include "daemon/ctl/model/train_bench_run.h"

namespace bahed::ctl {

struct TrainerOutcome {
  TrainerSetup setup;
  TrainRunResult result;
};

struct TrainBenchResults {
  std::vector<TrainerOutcome> trainers;  // the four, in the order run
  std::vector<TrainerOutcome> sweep_n;   // BAHE sliding and DTI per n
  std::vector<TrainerOutcome> sweep_k;   // BAHE DTI per k (sliding: from sweep_n or trainers)
  double matmul_peak_gflops = 0;
};

// Adds the tables and ratio figures to `report`.
void add_train_bench_tables(const TrainBenchResults& results, BenchReport& report);

// Panels: time per 1,000 targets of the four trainers; with sweeps, time
// against n and DTI speed-up against k.
std::vector<PlotPanel> train_bench_panels(const TrainBenchResults& results);

}  // namespace bahed::ctl
