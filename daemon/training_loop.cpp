#include "daemon/training_loop.h"

#include <pthread.h>

#include <chrono>
#include <sstream>

#include "checkpoints/scorer/published_model.h"
#include "daemon/training_state_dir.h"

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
  return write_version(lineage_fields(nullptr));
}

namespace {

// One rank's lineage at a lockstep barrier, as rank 0 reads it: lines of
// "t <targets trained> <max event time>", "o <partition> <next offset>",
// "a <partition> <targets> <offset checksum>".
std::string encode_lineage(int64_t targets, int64_t event_time_ms, const std::vector<PartitionWatermark>& offsets,
                           const TargetAudit& audit) {
  std::ostringstream out;
  out << "t " << targets << " " << event_time_ms << "\n";
  for (const auto& w : offsets) out << "o " << w.partition << " " << w.next_offset << "\n";
  for (const auto& [partition, a] : audit.partitions) out << "a " << partition << " " << a.n_targets << " " << a.offset_checksum << "\n";
  return out.str();
}

}  // namespace

checkpoints::ManifestFields TrainingLoop::lineage_fields(const std::vector<std::string>* ranks) const {
  checkpoints::ManifestFields fields = publication_.fixed;
  fields.step = trainer_->n_steps();
  fields.offsets = publication_.resumed_offsets;
  fields.event_time_watermark_ms = max_event_time_ms_;
  if (ranks == nullptr) {
    fields.targets_trained = trainer_->n_targets_trained();
    fields.audit = trainer_->audit();
    for (const auto& w : trainer_->trained_through()) fields.offsets[w.partition] = w.next_offset;
  } else {
    // Rank 0's lineage holds the restored version's counts; the others'
    // only what they trained since. Counts and checksums add up; each
    // partition's offset is the furthest any rank trained through.
    for (const std::string& rank : *ranks) {
      std::istringstream in(rank);
      std::string tag;
      while (in >> tag) {
        if (tag == "t") {
          int64_t targets = 0, event_time = 0;
          in >> targets >> event_time;
          fields.targets_trained += targets;
          fields.event_time_watermark_ms = std::max(fields.event_time_watermark_ms, event_time);
        } else if (tag == "o") {
          int32_t partition = 0;
          int64_t offset = 0;
          in >> partition >> offset;
          auto [it, inserted] = fields.offsets.emplace(partition, offset);
          if (!inserted) it->second = std::max(it->second, offset);
        } else if (tag == "a") {
          int32_t partition = 0;
          PartitionAudit a;
          in >> partition >> a.n_targets >> a.offset_checksum;
          PartitionAudit& total = fields.audit.partitions[partition];
          total.n_targets += a.n_targets;
          total.offset_checksum += a.offset_checksum;
        }
      }
    }
  }
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

Status TrainingLoop::group_barrier() {
  trainer_->flush();
  while (true) {
    std::vector<int64_t> any;
    {
      BusyTimer timer(metrics_.group_ns);
      any = publication_.group->sum({trainer_->n_ready_rows() > 0 ? 1 : 0});
    }
    if (any[0] == 0) return Status::ok();
    if (trainer_->n_ready_rows() > 0) {
      BAHED_RETURN_IF_ERROR(train_ready_rows());
    } else {
      trainer_->idle_step();
      metrics_.idle_steps.fetch_add(1);
    }
  }
}

Status TrainingLoop::publish_in_group() {
  trainer::DataParallelGroup& group = *publication_.group;
  BAHED_RETURN_IF_ERROR(group_barrier());
  // Every rank makes durable what the offsets cover (its store's WAL)
  // before rank 0 makes the version visible; rank 0 does it in write_version.
  if (group.rank() != 0 && publication_.before_publish) BAHED_RETURN_IF_ERROR(publication_.before_publish());
  // Rank 0's lineage counts from the restored version; the others' from 0
  // (Daemon::start resumes only rank 0's), so the sums are the lineage's.
  const std::string mine = encode_lineage(trainer_->n_targets_trained(), max_event_time_ms_, trainer_->trained_through(),
                                          trainer_->audit());
  const std::vector<std::string> ranks = group.all_gather_strings("barrier/" + std::to_string(++barriers_), mine);
  int64_t published_version = 0;
  if (group.rank() == 0) {
    if (trainer_->n_steps() != last_published_step_) {
      BAHED_RETURN_IF_ERROR(write_version(lineage_fields(&ranks)));
      published_version = metrics_.published_version.load();
    }
  }
  // Every rank learns the version (0: none), then commits its own offsets.
  const std::vector<int64_t> version = group.sum({published_version});
  if (group.rank() != 0 && version[0] > 0) {
    last_published_step_ = trainer_->n_steps();
    last_published_ms_ = clock_.steady_ms();
    metrics_.published_version.store(version[0]);
    if (publication_.after_publish) {
      checkpoints::PublishedVersion mine_only;
      mine_only.version = version[0];
      for (const auto& w : trainer_->trained_through()) mine_only.manifest.fields.offsets[w.partition] = w.next_offset;
      publication_.after_publish(mine_only);
    }
  }
  return Status::ok();
}

void TrainingLoop::run_lockstep(std::stop_token stop) {
  auto fail = [&](const Status& s) { on_failure_(s.with_context("trainer stage (rank " +
                                                                std::to_string(publication_.group->rank()) + ")")); };
  trainer::DataParallelGroup& group = *publication_.group;
  bool input_open = true;
  try {
    while (true) {
      // Input until rows are ready, the idle wait is over, or input ends.
      const int64_t until = clock_.steady_ms() + publication_.idle_step_ms;
      do {
        auto more = take_input(std::chrono::milliseconds(trainer_->n_ready_rows() > 0 ? 0 : 20));
        if (!more.is_ok()) return fail(more.status());
        input_open = *more && !stop.stop_requested();
        trainer_->emit_expired();
      } while (input_open && trainer_->n_ready_rows() == 0 && clock_.steady_ms() < until);
      std::vector<int64_t> tick;
      {
        BusyTimer timer(metrics_.group_ns);
        tick = group.sum({trainer_->n_ready_rows() > 0 ? 1 : 0, group.rank() == 0 && publish_due() ? 1 : 0,
                          input_open ? 0 : 1});
      }
      if (tick[2] > 0) break;  // a rank is stopping: the group stops with one final version
      if (tick[1] > 0) {
        if (Status s = publish_in_group(); !s.is_ok()) return fail(s);
      } else if (tick[0] > 0) {
        if (trainer_->n_ready_rows() > 0) {
          if (Status s = train_ready_rows(); !s.is_ok()) return fail(s);
        } else {
          trainer_->idle_step();
          metrics_.idle_steps.fetch_add(1);
        }
      }
    }
    if (Status s = publish_in_group(); !s.is_ok()) return fail(s);
  } catch (const std::exception& e) {  // the group's transport failed (a rank died, a timeout)
    return fail(Status::unavailable(std::string("data-parallel group: ") + e.what()));
  }
  logger_->info("trainer_drained rank={} steps={} targets={} idle_steps={} step_s={:.2f} allreduce_s={:.2f} group_s={:.2f} "
                "progressive_auc={:.4f} busy={:.0f}%",
                group.rank(), metrics_.steps.load(), metrics_.targets_trained.load(), metrics_.idle_steps.load(),
                metrics_.step_ns.load() / 1e9, group.reduce_seconds(), metrics_.group_ns.load() / 1e9,
                metrics_.progressive_auc.load(), 100 * busy_fraction());
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
