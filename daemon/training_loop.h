#pragma once
// TrainingLoop: the trainer stage's thread. Takes EncodedBatches off the
// queue from the encoder, queues their targets in the Trainer and runs an
// optimizer step whenever rows are ready; the trainer is the pipeline's
// bottleneck by design, so under a backlog it should be busy nearly all
// the time (busy_fraction()). At the end of the input it flushes every
// pending target as a row and trains it; so does every publication (a
// checkpoint barrier), which makes a version's offsets exact: everything
// before them trained once, nothing after them.
//
// In a data-parallel group (Publication::group) the ranks' loops run in
// lockstep: every tick all ranks agree, in one small all-reduce, whether
// anyone has rows (then each trains its own or takes part with zero
// weight), whether to publish (rank 0 decides) and whether anyone is
// stopping (then all publish a final version and stop). A publication is
// a barrier over the whole group: every rank trains all it holds, sends its
// offsets, target counts and audit to rank 0, which writes the one
// manifest; each rank then commits its own partitions' offsets.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <thread>

#include "common/bounded_queue.h"
#include "common/clock.h"
#include "common/encoded_batch.h"
#include "common/logger.h"
#include "common/result.h"
#include "daemon/rank_lineage.h"
#include "checkpoints/checkpoint_publisher.h"
#include "trainer/ctr_trainer.h"
#include "trainer/distributed/data_parallel_group.h"

namespace bahed::daemon {

struct TrainingMetrics {
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> steps{0};
  std::atomic<uint64_t> targets_trained{0};
  std::atomic<uint64_t> busy_ns{0};  // inside add() and step()
  std::atomic<double> last_loss{0};
  std::atomic<double> progressive_auc{0};
  std::atomic<double> progressive_logloss{0};
  std::atomic<int64_t> pending_targets{0};
  std::atomic<int64_t> published_version{0};
  std::atomic<int64_t> last_publish_ms{0};  // duration of the last publication (the pause)
  std::atomic<int64_t> published_at_ms{0};  // wall clock when the last version became visible
  // Event-time watermark of the last published version: the newest event
  // trained into the model serving sees (freshness = now - this).
  std::atomic<int64_t> published_event_time_ms{0};
  std::atomic<uint64_t> publish_failures{0};
  std::atomic<uint64_t> state_prune_failures{0};  // old training states left on disk (the version is fine)
  std::atomic<uint64_t> step_ns{0};  // inside optimizer steps (a subset of busy_ns)
  // Data-parallel: steps this rank took part in without rows, and time in
  // the group's collectives (gradient all-reduce included).
  std::atomic<uint64_t> idle_steps{0};
  std::atomic<uint64_t> group_ns{0};
};

// When and how the loop publishes versions. publisher == nullptr: never.
struct Publication {
  checkpoints::CheckpointPublisher* publisher = nullptr;
  // Publish after this many optimizer steps since the last version; 0 = not by steps.
  int64_t every_steps = 100;
  // Publish once this many seconds passed since the last version (and at
  // least one step ran); 0 = not by time.
  int64_t every_s = 300;
  // Fields every manifest shares (fingerprints, model config).
  checkpoints::ManifestFields fixed;
  // Called before a version is written: makes everything the offsets
  // cover durable (the store's WAL).
  std::function<Status()> before_publish;
  // Called after a version is durable, with its offsets (commit them to
  // the group as a mirror for lag monitoring).
  std::function<void(const checkpoints::PublishedVersion&)> after_publish;
  // Private training state (training_state_dir.h), saved with every
  // version; the newest keep_states are kept. Empty: none saved.
  std::filesystem::path state_dir;
  int64_t keep_states = 2;
  // The restored version's offsets and event-time watermark: partitions
  // without events since then carry its offsets into every later manifest.
  std::map<int32_t, int64_t> resumed_offsets;
  int64_t resumed_event_time_ms = 0;
  // Data-parallel group (nullptr: alone). Rank 0 has the publisher; the
  // other ranks have none and take part in its barriers.
  trainer::DataParallelGroup* group = nullptr;
  int64_t idle_step_ms = 200;
};

class TrainingLoop {
 public:
  // `trainer` is owned; `input` and `clock` must outlive the loop. The
  // thread starts at once; on_failure is called (from the thread) with the
  // first error, after which the thread stops.
  TrainingLoop(std::unique_ptr<trainer::Trainer> trainer, BoundedQueue<EncodedBatch>& input, const Clock& clock,
               Logger logger, std::function<void(const Status&)> on_failure, Publication publication = {});
  ~TrainingLoop();

  // Waits until the input queue is closed and drained and every pending
  // target trained.
  void join();

  const TrainingMetrics& metrics() const { return metrics_; }
  // The loop has ended (input closed, a failure, or in a group: some rank
  // stopped and the group published its final version).
  bool finished() const { return finished_.load(); }
  // Share of wall time since start spent training.
  double busy_fraction() const;

 private:
  void run(std::stop_token stop);
  // Data-parallel mode (training_loop_lockstep.cpp).
  void run_lockstep(std::stop_token stop);
  // Takes one batch off the input (waiting at most `wait`) into the
  // trainer, unless two steps of rows are ready. False once the input is
  // closed and drained.
  Result<bool> take_input(std::chrono::milliseconds wait);
  Status train_ready_rows();
  bool publish_due() const;
  // Publishes when due (or always when `final` and anything was trained
  // since the last version).
  Status maybe_publish(bool final);
  // Lockstep: every rank trains all it holds, with zero weight once its
  // own rows are done, until no rank has any.
  Status group_barrier();
  // Lockstep publication: the barrier, the ranks' lineage to rank 0, rank 0
  // publishes, every rank learns whether it did.
  Status publish_in_group();
  // What this trainer trained: its targets (with the restored version's,
  // on rank 0 or alone), offsets, newest event time and audit.
  RankLineage own_lineage() const;
  // A manifest's fields for `trained` (own_lineage() alone; every rank's
  // merged in a group) over the restored version's offsets.
  checkpoints::ManifestFields manifest_fields(const RankLineage& trained) const;
  Status write_version(checkpoints::ManifestFields fields);

  std::unique_ptr<trainer::Trainer> trainer_;
  BoundedQueue<EncodedBatch>& input_;
  const Clock& clock_;
  Logger logger_;
  std::function<void(const Status&)> on_failure_;
  Publication publication_;
  int64_t last_published_step_ = 0;
  int64_t last_published_ms_ = 0;
  int64_t max_event_time_ms_ = 0;
  int64_t barriers_ = 0;  // lockstep publications so far (unique rendezvous keys)
  std::atomic<bool> finished_{false};
  TrainingMetrics metrics_;
  int64_t started_ms_ = 0;
  std::jthread thread_;  // last: starts after every field above is set
};

}  // namespace bahed::daemon
