#include "daemon/training_loop.h"

#include <pthread.h>

#include <chrono>

#include "checkpoints/scorer/published_model.h"
#include "daemon/busy_timer.h"
#include "daemon/training_state_dir.h"

namespace bahed::daemon {
TrainingLoop::TrainingLoop(std::unique_ptr<trainer::Trainer> trainer, BoundedQueue<EncodedBatch>& input,
                           const Clock& clock, Logger logger, std::function<void(const Status&)> on_failure,
                           Publication publication)
    : trainer_(std::move(trainer)),
      input_(input),
      clock_(clock),
      logger_(std::move(logger)),
      on_failure_(std::move(on_failure)),
      publication_(std::move(publication)),
      last_published_step_(trainer_->n_steps()),  // a restored trainer starts at its version's step
      last_published_ms_(clock.steady_ms()),
      max_event_time_ms_(publication_.resumed_event_time_ms),
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
  const auto started = std::chrono::steady_clock::now();
  BAHED_ASSIGN_OR_RETURN(auto report, trainer_->step());
  if (report) {
    metrics_.step_ns.fetch_add(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count()));
  }
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

bool TrainingLoop::publish_due() const {
  const int64_t steps = trainer_->n_steps();
  const bool anything_new = steps != last_published_step_ || trainer_->n_pending_targets() > 0 ||
                            trainer_->n_ready_rows() > 0;
  if (!anything_new) return false;
  const int64_t now = clock_.steady_ms();
  return (publication_.every_steps > 0 && steps - last_published_step_ >= publication_.every_steps) ||
         (publication_.every_s > 0 && now - last_published_ms_ >= publication_.every_s * 1000);
}

Status TrainingLoop::maybe_publish(bool final) {
  if (publication_.publisher == nullptr) return Status::ok();
  const bool anything_new = trainer_->n_steps() != last_published_step_ || trainer_->n_pending_targets() > 0;
  if (!(final ? anything_new : publish_due())) return Status::ok();
  // Checkpoint barrier: every target the trainer holds is trained first.
  // A version's offsets then mean "everything before them is trained,
  // nothing after them is": with targets still pending, later targets of
  // other users would already be trained, and a restart from the offsets
  // would train them twice.
  trainer_->flush();
  while (trainer_->n_ready_rows() > 0) BAHED_RETURN_IF_ERROR(train_ready_rows());
  if (trainer_->n_steps() == last_published_step_) return Status::ok();
  return write_version(manifest_fields(own_lineage()));
}

RankLineage TrainingLoop::own_lineage() const {
  RankLineage lineage;
  lineage.targets_trained = trainer_->n_targets_trained();
  lineage.event_time_ms = max_event_time_ms_;
  for (const auto& w : trainer_->trained_through()) lineage.offsets[w.partition] = w.next_offset;
  lineage.audit = trainer_->audit();
  return lineage;
}

checkpoints::ManifestFields TrainingLoop::manifest_fields(const RankLineage& trained) const {
  // Partitions without events since the restored version keep its offsets.
  RankLineage lineage;
  lineage.offsets = publication_.resumed_offsets;
  lineage.event_time_ms = max_event_time_ms_;
  lineage.merge(trained);
  checkpoints::ManifestFields fields = publication_.fixed;
  fields.step = trainer_->n_steps();
  fields.targets_trained = lineage.targets_trained;
  fields.event_time_watermark_ms = lineage.event_time_ms;
  fields.offsets = lineage.offsets;
  fields.audit = lineage.audit;
  fields.metrics["progressive_auc"] = trainer_->progressive().auc();
  fields.metrics["progressive_logloss"] = trainer_->progressive().logloss();
  fields.metrics["loss"] = metrics_.last_loss.load();
  return fields;
}

Status TrainingLoop::write_version(checkpoints::ManifestFields fields) {
  const int64_t steps = trainer_->n_steps();
  const int64_t now = clock_.steady_ms();
  if (publication_.before_publish) BAHED_RETURN_IF_ERROR(publication_.before_publish());
  std::vector<checkpoints::CheckpointFile> files;
  files.push_back({"model.safetensors", [this](const std::filesystem::path& file) {
                     return checkpoints::write_model_safetensors(trainer_->model(), file);
                   }});
  // The state first: a published version then always has its state (a
  // crash in between leaves a state folder of an unpublished version, which
  // is pruned).
  const int64_t version = publication_.publisher->next_version();
  if (!publication_.state_dir.empty()) {
    BAHED_RETURN_IF_ERROR(trainer_->save(training_state_path(publication_.state_dir, version)));
  }
  auto publish_result = publication_.publisher->publish(fields, files);
  if (!publish_result.is_ok()) metrics_.publish_failures.fetch_add(1);
  BAHED_ASSIGN_OR_RETURN(auto published, std::move(publish_result));
  if (!publication_.state_dir.empty()) {
    if (Status s = prune_training_states(publication_.state_dir, published.version, publication_.keep_states);
        !s.is_ok()) {
      metrics_.state_prune_failures.fetch_add(1);
      logger_->warn("training_state_prune_failed {}", s.to_string());
    }
  }
  last_published_step_ = steps;
  last_published_ms_ = now;
  metrics_.published_version.store(published.version);
  metrics_.last_publish_ms.store(published.duration_ms);
  metrics_.published_at_ms.store(clock_.now_ms());
  metrics_.published_event_time_ms.store(fields.event_time_watermark_ms);
  // Freshness: how old the newest event in this version is now (meaningful
  // when event times are current, e.g. `bahectl replay --retime`).
  logger_->info("checkpoint_published version={} step={} targets={} auc={:.4f} logloss={:.4f} pause_ms={} "
                "freshness_s={:.1f} dir={}",
                published.version, steps, fields.targets_trained, fields.metrics["progressive_auc"],
                fields.metrics["progressive_logloss"], published.duration_ms,
                (clock_.now_ms() - fields.event_time_watermark_ms) / 1e3, published.dir.string());
  if (publication_.after_publish) publication_.after_publish(published);
  return Status::ok();
}

Result<bool> TrainingLoop::take_input(std::chrono::milliseconds wait) {
  // Backpressure: with two steps' worth of rows ready, train before
  // taking more input. The queues behind then fill and the consumer
  // pauses its partitions, instead of ready rows piling up here (which a
  // checkpoint barrier would have to train before publishing).
  if (trainer_->n_ready_targets() >= 2 * trainer_->options().n_targets_per_step) return true;
  auto batch = input_.pop_for(wait);
  if (!batch) return !input_.closed();
  BusyTimer timer(metrics_.busy_ns);
  BAHED_RETURN_IF_ERROR(trainer_->add(*batch));
  max_event_time_ms_ = std::max(max_event_time_ms_, batch->max_event_time_ms);
  metrics_.batches.fetch_add(1);
  return true;
}

void TrainingLoop::run(std::stop_token stop) {
  pthread_setname_np(pthread_self(), "bahed-trainer");
  struct MarkFinished {
    std::atomic<bool>& finished;
    ~MarkFinished() { finished.store(true); }
  } mark{finished_};
  if (publication_.group != nullptr) return run_lockstep(stop);
  auto fail = [&](const Status& s) { on_failure_(s.with_context("trainer stage")); };
  while (!stop.stop_requested()) {
    // Poll without waiting while rows are ready: new targets are queued
    // between steps, training never waits for input it does not need.
    auto more = take_input(trainer_->n_ready_rows() > 0 ? std::chrono::milliseconds(0) : std::chrono::milliseconds(100));
    if (!more.is_ok()) return fail(more.status());
    if (!*more) break;
    if (Status s = train_ready_rows(); !s.is_ok()) return fail(s);
    if (Status s = maybe_publish(/*final=*/false); !s.is_ok()) return fail(s);
  }
  // End of input (shutdown): every pending target leaves as a row.
  trainer_->flush();
  while (trainer_->n_ready_rows() > 0) {
    if (Status s = train_ready_rows(); !s.is_ok()) return fail(s);
  }
  if (Status s = maybe_publish(/*final=*/true); !s.is_ok()) return fail(s);
  logger_->info("trainer_drained steps={} targets={} progressive_auc={:.4f} logloss={:.4f} busy={:.0f}%",
                metrics_.steps.load(), metrics_.targets_trained.load(), metrics_.progressive_auc.load(),
                metrics_.progressive_logloss.load(), 100 * busy_fraction());
}

}  // namespace bahed::daemon
