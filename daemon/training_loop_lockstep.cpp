// TrainingLoop's second run mode: data-parallel lockstep (Publication::group
// set). Every tick the ranks agree in one small all-reduce whether anyone
// has rows, whether rank 0 publishes and whether anyone stops; a
// publication is a barrier over the group (training_loop.h).
#include "daemon/busy_timer.h"
#include "daemon/training_loop.h"

namespace bahed::daemon {

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
  const std::vector<std::string> ranks =
      group.all_gather_strings("barrier/" + std::to_string(++barriers_), own_lineage().encode());
  int64_t published_version = 0;
  if (group.rank() == 0) {
    // Rank 0's lineage holds the restored version's counts; the others'
    // only what they trained since.
    RankLineage all;
    for (size_t r = 0; r < ranks.size(); ++r) {
      auto lineage = RankLineage::decode(ranks[r]);
      if (!lineage.is_ok()) return lineage.status().with_context("lineage of rank " + std::to_string(r));
      all.merge(*lineage);
    }
    if (trainer_->n_steps() != last_published_step_) {
      BAHED_RETURN_IF_ERROR(write_version(manifest_fields(all)));
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

}  // namespace bahed::daemon
