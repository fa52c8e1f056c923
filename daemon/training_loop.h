#pragma once
// TrainingLoop: the trainer stage's thread. Takes EncodedBatches off the
// queue from the encoder, queues their targets in the Trainer and runs an
// optimizer step whenever rows are ready; the trainer is the pipeline's
// bottleneck by design, so under a backlog it should be busy nearly all
// the time (busy_fraction()). At the end of the input it flushes every
// pending target as a row and trains it; so does every publication (a
// checkpoint barrier), which makes a version's offsets exact: everything
// before them trained once, nothing after them.
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
#include "checkpoints/checkpoint_publisher.h"
#include "trainer/ctr_trainer.h"

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
  std::atomic<uint64_t> step_ns{0};  // inside optimizer steps (a subset of busy_ns)
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
  // Share of wall time since start spent training.
  double busy_fraction() const;

 private:
  void run(std::stop_token stop);
  Status train_ready_rows();
  // Publishes when due (or always when `final` and anything was trained
  // since the last version).
  Status maybe_publish(bool final);

  std::unique_ptr<trainer::Trainer> trainer_;
  BoundedQueue<EncodedBatch>& input_;
  const Clock& clock_;
  Logger logger_;
  std::function<void(const Status&)> on_failure_;
  Publication publication_;
  int64_t last_published_step_ = 0;
  int64_t last_published_ms_ = 0;
  int64_t max_event_time_ms_ = 0;
  TrainingMetrics metrics_;
  int64_t started_ms_ = 0;
  std::jthread thread_;  // last: starts after every field above is set
};

}  // namespace bahed::daemon
