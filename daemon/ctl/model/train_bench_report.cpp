#include "daemon/ctl/model/train_bench_report.h"

#include <cmath>
#include <limits>

namespace bahed::ctl {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const TrainRunResult* find(const std::vector<TrainerOutcome>& outcomes, const std::string& key) {
  for (const TrainerOutcome& o : outcomes) {
    if (o.setup.key == key) return &o.result;
  }
  return nullptr;
}

double mb(int64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

double mb_per_target(const TrainRunResult& r) {
  return r.max_micro_batch_targets > 0 ? mb(r.peak_rss_delta_bytes) / static_cast<double>(r.max_micro_batch_targets)
                                       : kNaN;
}

// slow / fast for times and memory; fast - slow for AUC.
struct Ratio {
  double time = kNaN, memory = kNaN, memory_per_target = kNaN, auc_diff = kNaN;
};

Ratio ratio(const TrainRunResult* slow, const TrainRunResult* fast) {
  if (slow == nullptr || fast == nullptr) return {};
  Ratio r;
  r.time = slow->seconds_per_1000_targets() / fast->seconds_per_1000_targets();
  r.memory = fast->peak_rss_delta_bytes > 0
                 ? static_cast<double>(slow->peak_rss_delta_bytes) / static_cast<double>(fast->peak_rss_delta_bytes)
                 : kNaN;
  r.memory_per_target = mb_per_target(*slow) / mb_per_target(*fast);
  r.auc_diff = fast->held_out_auc - slow->held_out_auc;
  return r;
}

double gflops(const TrainRunResult& r) { return r.flops / r.train_seconds / 1e9; }

void add_trainer_table(const TrainBenchResults& results, BenchReport& report) {
  std::vector<BenchReport::Row> rows;
  for (const TrainerOutcome& o : results.trainers) {
    const TrainRunResult& r = o.result;
    rows.push_back({o.setup.key, o.setup.label,
                    {static_cast<double>(r.n_train_targets), r.seconds_per_1000_targets(), gflops(r),
                     gflops(r) / results.matmul_peak_gflops, mb(r.peak_rss_delta_bytes),
                     static_cast<double>(r.max_micro_batch_targets), mb_per_target(r), r.held_out_auc,
                     r.held_out_logloss, r.packed_auc, r.leakage_gap, r.progressive_auc}});
  }
  report.table("trainers", "per trainer (held-out: one target per row, as serving scores it)",
               {{"train_targets", "targets", ""},
                {"seconds_per_1000_targets", "time/1k tgt", "s"},
                {"gflops", "achieved", "GFLOP/s"},
                {"peak_fraction", "of peak", ""},
                {"peak_rss_delta_mb", "peak RSS +", "MiB"},
                {"micro_batch_targets", "tgt/microbat", ""},
                {"mb_per_micro_batch_target", "RSS+/tgt", "MiB"},
                {"held_out_auc", "AUC", ""},
                {"held_out_logloss", "logloss", ""},
                {"packed_auc", "packed AUC", ""},
                {"leakage_gap", "leakage gap", "logit"},
                {"progressive_auc", "prog. AUC", ""}},
               std::move(rows));
}

void add_ratio_table(const std::vector<TrainerOutcome>& t, BenchReport& report) {
  // In the order of the ratio table's columns.
  const Ratio ratios[] = {ratio(find(t, "token_sliding"), find(t, "bahe_sliding")),
                          ratio(find(t, "token_dti"), find(t, "bahe_dti")),
                          ratio(find(t, "bahe_sliding"), find(t, "bahe_dti")),
                          ratio(find(t, "token_sliding"), find(t, "token_dti")),
                          ratio(find(t, "token_sliding"), find(t, "bahe_dti"))};
  std::vector<BenchReport::Row> ratio_rows = {{"time", "time x", {}},
                                              {"memory", "peak RSS x", {}},
                                              {"memory_per_target", "RSS/tgt x", {}},
                                              {"auc_diff", "AUC diff", {}}};
  for (const Ratio& r : ratios) {
    ratio_rows[0].values.push_back(r.time);
    ratio_rows[1].values.push_back(r.memory);
    ratio_rows[2].values.push_back(r.memory_per_target);
    ratio_rows[3].values.push_back(r.auc_diff);
  }
  report.table("ratios", "ratios: slower / faster (time, memory); faster - slower (AUC)",
               {{"bahe_vs_token_sliding", "BAHE/tok SW", ""},
                {"bahe_vs_token_dti", "BAHE/tok DTI", ""},
                {"dti_vs_sliding_bahe", "DTI/SW BAHE", ""},
                {"dti_vs_sliding_token", "DTI/SW token", ""},
                {"combined", "both", ""}},
               std::move(ratio_rows));
}

void add_sweep_table(const TrainBenchResults& results, const std::vector<TrainerOutcome>& sweep,
                     const std::string& key, const std::string& title, bool by_n, BenchReport& report) {
  if (sweep.empty()) return;
  std::vector<BenchReport::Row> sweep_rows;
  for (const TrainerOutcome& o : sweep) {
    const TrainRunResult& r = o.result;
    const double x = static_cast<double>(by_n ? o.setup.n_context : o.setup.n_targets_per_row);
    sweep_rows.push_back({o.setup.key, o.setup.label,
                          {x, r.seconds_per_1000_targets(), gflops(r) / results.matmul_peak_gflops,
                           mb(r.peak_rss_delta_bytes), r.held_out_auc, r.leakage_gap}});
  }
  report.table(key, title,
               {{by_n ? "n" : "k", by_n ? "n" : "k", ""},
                {"seconds_per_1000_targets", "time/1k tgt", "s"},
                {"peak_fraction", "of peak", ""},
                {"peak_rss_delta_mb", "peak RSS +", "MiB"},
                {"held_out_auc", "AUC", ""},
                {"leakage_gap", "leakage gap", "logit"}},
               std::move(sweep_rows));
}

}  // namespace

void add_train_bench_tables(const TrainBenchResults& results, BenchReport& report) {
  add_trainer_table(results, report);
  add_ratio_table(results.trainers, report);
  add_sweep_table(results, results.sweep_n, "sweep_n", "sweep over n (history length), BAHE", true, report);
  add_sweep_table(results, results.sweep_k, "sweep_k", "sweep over k (targets per DTI row), BAHE", false, report);
}

std::vector<PlotPanel> train_bench_panels(const TrainBenchResults& results) {
  std::vector<PlotPanel> panels;
  PlotPanel bars{"time per 1,000 targets", "", "seconds (log)", true, {}, {{"training", {}}}};
  for (size_t i = 0; i < results.trainers.size(); ++i) {
    bars.categories.push_back(results.trainers[i].setup.label);
    bars.series[0].points.emplace_back(static_cast<double>(i), results.trainers[i].result.seconds_per_1000_targets());
  }
  panels.push_back(std::move(bars));
  if (!results.sweep_n.empty()) {
    PlotPanel by_n{"BAHE: time vs history length n", "n", "seconds per 1,000 targets (log)", true, {},
                   {{"sliding window", {}}, {"DTI", {}}}};
    for (const TrainerOutcome& o : results.sweep_n) {
      by_n.series[o.setup.n_targets_per_row > 1 ? 1 : 0].points.emplace_back(
          static_cast<double>(o.setup.n_context), o.result.seconds_per_1000_targets());
    }
    panels.push_back(std::move(by_n));
  }
  if (!results.sweep_k.empty()) {
    PlotPanel by_k{"BAHE: DTI time vs targets per row k", "k", "seconds per 1,000 targets (log)", true, {},
                   {{"DTI", {}}}};
    for (const TrainerOutcome& o : results.sweep_k) {
      by_k.series[0].points.emplace_back(static_cast<double>(o.setup.n_targets_per_row),
                                         o.result.seconds_per_1000_targets());
    }
    panels.push_back(std::move(by_k));
  }
  return panels;
}

}  // namespace bahed::ctl
