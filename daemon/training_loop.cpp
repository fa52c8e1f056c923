#include "daemon/training_loop.h"

#include <pthread.h>

#include <chrono>

namespace bahed::daemon {
namespace {

class BusyTimer {
 public:
  explicit BusyTimer(std::atomic<uint64_t>& sink) : sink_(sink), start_(std::chrono::steady_clock::now()) {}
  ~BusyTimer() {
    sink_.fetch_add(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count()));
  }

 private:
  std::atomic<uint64_t>& sink_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

TrainingLoop::TrainingLoop(std::unique_ptr<trainer::Trainer> trainer, BoundedQueue<EncodedBatch>& input,
                           const Clock& clock, Logger logger, std::function<void(const Status&)> on_failure)
    : trainer_(std::move(trainer)),
      input_(input),
      clock_(clock),
      logger_(std::move(logger)),
      on_failure_(std::move(on_failure)),
      started_ms_(clock.steady_ms()),
      thread_([this](std::stop_token stop) { run(stop); }) {}

TrainingLoop::~TrainingLoop() { join(); }

void TrainingLoop::join() {
  if (thread_.joinable()) thread_.join();
}

double TrainingLoop::busy_fraction() const {
  const int64_t wall_ms = std::max<int64_t>(1, clock_.steady_ms() - started_ms_);
  return metrics_.busy_ns.load() / 1e6 / static_cast<double>(wall_ms);
}

Status TrainingLoop::train_ready_rows() {
  BusyTimer timer(metrics_.busy_ns);
  BAHED_ASSIGN_OR_RETURN(auto report, trainer_->step());
  if (report) {
    metrics_.steps.fetch_add(1);
    metrics_.targets_trained.fetch_add(static_cast<uint64_t>(report->n_targets));
    metrics_.last_loss.store(report->loss);
    metrics_.progressive_auc.store(trainer_->progressive().auc());
    metrics_.progressive_logloss.store(trainer_->progressive().logloss());
  }
  metrics_.pending_targets.store(trainer_->n_pending_targets());
  return Status::ok();
}

void TrainingLoop::run(std::stop_token stop) {
  pthread_setname_np(pthread_self(), "bahed-trainer");
  auto fail = [&](const Status& s) { on_failure_(s.with_context("trainer stage")); };
  while (!stop.stop_requested()) {
    // Poll without waiting while rows are ready: new targets are queued
    // between steps, training never waits for input it does not need.
    const auto wait = trainer_->n_ready_rows() > 0 ? std::chrono::milliseconds(0) : std::chrono::milliseconds(100);
    auto batch = input_.pop_for(wait);
    if (batch) {
      BusyTimer timer(metrics_.busy_ns);
      if (Status s = trainer_->add(*batch); !s.is_ok()) return fail(s);
      metrics_.batches.fetch_add(1);
    } else if (input_.closed()) {
      break;
    }
    if (Status s = train_ready_rows(); !s.is_ok()) return fail(s);
  }
  // End of input (shutdown): every pending target leaves as a row.
  trainer_->flush();
  while (trainer_->n_ready_rows() > 0) {
    if (Status s = train_ready_rows(); !s.is_ok()) return fail(s);
  }
  logger_->info("trainer_drained steps={} targets={} progressive_auc={:.4f} logloss={:.4f} busy={:.0f}%",
                metrics_.steps.load(), metrics_.targets_trained.load(), metrics_.progressive_auc.load(),
                metrics_.progressive_logloss.load(), 100 * busy_fraction());
}

}  // namespace bahed::daemon
