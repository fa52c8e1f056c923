#include "daemon/ctl/model/train_bench_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "daemon/ctl/model/model_flops.h"
#include "trainer/batch_planner.h"
#include "trainer/timeline.h"

namespace bahed::ctl {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::vector<trainer::RowSpec> rows_of(const TrainBenchData& data, std::span<const size_t> users, bool held_out,
                                      int64_t n_context, int64_t n_targets_per_row) {
  std::vector<trainer::RowSpec> rows;
  for (const size_t u : users) {
    const trainer::Timeline& timeline = held_out ? data.users[u].held_out : data.users[u].train;
    if (timeline.targets.empty()) continue;
    for (trainer::RowSpec& row : trainer::timeline_rows(timeline, n_context, n_targets_per_row)) {
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

// FLOPs of one step: the trained layers forward and backward (~3x forward),
// plus for token-level rows the frozen shallow layers forward only.
double step_flops(const trainer::StepReport& step, const encoder::LlamaModel& base,
                  trainer::SlotGranularity granularity) {
  const encoder::ModelConfig& config = base->config();
  const int64_t n_shallow = base->options().n_layers_shallow;
  double flops = 0;
  for (const trainer::MicroBatchShape& shape : step.micro_batches) {
    flops += 3.0 * decoder_forward_flops(config, config.n_layers - n_shallow, shape.n_rows, shape.n_slots);
    if (granularity == trainer::SlotGranularity::kToken) {
      flops += decoder_forward_flops(config, n_shallow, shape.n_rows, shape.n_slots);
    }
  }
  return flops;
}

// Orders rows by length: behaviors, then targets (each adds slots).
std::pair<size_t, size_t> size_of(const trainer::RowSpec& row) { return {row.behaviors.size(), row.targets.size()}; }

// Held-out targets scored one per row (the serving view) and, for DTI, in
// packed rows too: the leakage gap is the mean |packed - sliding| logit.
void evaluate_held_out(trainer::Trainer& trainer, const TrainBenchData& data, std::span<const size_t> users,
                       const TrainerSetup& setup, const torch::Tensor& table, TrainRunResult* result) {
  const std::vector<trainer::RowSpec> held_out = rows_of(data, users, /*held_out=*/true, setup.n_context, 1);
  const trainer::EvalReport sliding = trainer.evaluate(held_out, table);
  result->n_held_out = sliding.n_targets;
  result->held_out_auc = sliding.auc;
  result->held_out_logloss = sliding.logloss;
  result->packed_auc = result->leakage_gap = std::numeric_limits<double>::quiet_NaN();
  if (setup.n_targets_per_row > 1 && sliding.n_targets > 0) {
    const trainer::EvalReport packed =
        trainer.evaluate(rows_of(data, users, /*held_out=*/true, setup.n_context, setup.n_targets_per_row), table);
    result->packed_auc = packed.auc;
    double gap = 0;
    for (size_t i = 0; i < packed.logits.size(); ++i) gap += std::abs(packed.logits[i] - sliding.logits[i]);
    result->leakage_gap = gap / static_cast<double>(packed.logits.size());
  }
}

}  // namespace

double TrainRunResult::seconds_per_1000_targets() const {
  return n_targets_trained > 0 ? 1000.0 * train_seconds / static_cast<double>(n_targets_trained)
                               : std::numeric_limits<double>::quiet_NaN();
}

TrainRunResult run_trainer(const TrainBenchData& data, std::span<const size_t> users, const encoder::LlamaModel& base,
                           const torch::Tensor& vectors, const trainer::TokenTable& tokens, const TrainerSetup& setup,
                           const TrainRunOptions& options) {
  trainer::TrainerOptions trainer_options = options.trainer;
  trainer_options.model.granularity = setup.granularity;
  trainer_options.n_context = setup.n_context;
  trainer_options.n_targets_per_row = setup.n_targets_per_row;
  const bool by_token = setup.granularity == trainer::SlotGranularity::kToken;
  const torch::Tensor table = by_token ? torch::Tensor() : vectors;

  TrainRunResult result;
  result.n_users = static_cast<int64_t>(users.size());
  const std::vector<trainer::RowSpec> rows =
      rows_of(data, users, /*held_out=*/false, setup.n_context, setup.n_targets_per_row);
  result.n_train_rows = static_cast<int64_t>(rows.size());
  for (const trainer::RowSpec& row : rows) result.n_train_targets += static_cast<int64_t>(row.targets.size());

  const SystemClock clock;
  trainer::Trainer trainer(base, trainer_options, clock, &tokens);
  std::vector<double> losses;
  const auto t0 = Clock::now();
  auto last_progress = t0;
  for (int64_t epoch = 0; epoch < options.epochs; ++epoch) {
    // Length buckets: rows in random order, stably sorted by size, cut into
    // steps of similar rows (little padding), the steps then shuffled.
    std::vector<size_t> order(rows.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::mt19937_64 rng(trainer_options.seed + static_cast<uint64_t>(epoch));
    std::shuffle(order.begin(), order.end(), rng);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return size_of(rows[a]) < size_of(rows[b]); });
    std::vector<int64_t> n_targets;
    for (const size_t i : order) n_targets.push_back(static_cast<int64_t>(rows[i].targets.size()));
    auto steps = trainer::plan_steps(n_targets, trainer_options.n_targets_per_step);
    std::shuffle(steps.begin(), steps.end(), rng);
    for (size_t s = 0; s < steps.size(); ++s) {
      std::vector<trainer::RowSpec> step_rows;
      for (const size_t i : steps[s]) step_rows.push_back(rows[order[i]]);
      const trainer::StepReport report = trainer.train_step(step_rows, table);
      losses.push_back(report.loss);
      result.flops += step_flops(report, base, setup.granularity);
      for (const trainer::MicroBatchShape& shape : report.micro_batches) {
        result.max_micro_batch_targets = std::max(result.max_micro_batch_targets, shape.n_targets);
      }
      if (options.progress_every_s > 0 && seconds_since(last_progress) >= options.progress_every_s) {
        last_progress = Clock::now();
        std::fprintf(stderr, "  %s: epoch %lld step %zu/%zu, %.0f s, loss %.4f gn %.4g lr %.3g\n", setup.key.c_str(),
                     static_cast<long long>(epoch + 1), s + 1, steps.size(), seconds_since(t0), report.loss, report.grad_norm, report.learning_rate);
      }
    }
  }
  result.train_seconds = seconds_since(t0);
  result.n_steps = trainer.n_steps();
  result.n_targets_trained = trainer.n_targets_trained();
  const size_t tail = std::max<size_t>(1, losses.size() / 10);
  result.final_loss = losses.empty() ? std::nan("")
                                     : std::accumulate(losses.end() - static_cast<std::ptrdiff_t>(tail), losses.end(), 0.0) /
                                           static_cast<double>(tail);
  result.progressive_auc = trainer.progressive().auc();

  evaluate_held_out(trainer, data, users, setup, table, &result);
  return result;
}

}  // namespace bahed::ctl
