#pragma once
// TrainingLoop: the trainer stage's thread. Takes EncodedBatches off the
// queue from the encoder, queues their targets in the Trainer and runs an
// optimizer step whenever rows are ready; the trainer is the pipeline's
// bottleneck by design, so under a backlog it should be busy nearly all
// the time (busy_fraction()). At the end of the input it flushes every
// pending target as a row and trains it.
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "common/bounded_queue.h"
#include "common/clock.h"
#include "common/encoded_batch.h"
#include "common/logger.h"
#include "common/result.h"
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
};

class TrainingLoop {
 public:
  // `trainer` is owned; `input` and `clock` must outlive the loop. The
  // thread starts at once; on_failure is called (from the thread) with the
  // first error, after which the thread stops.
  TrainingLoop(std::unique_ptr<trainer::Trainer> trainer, BoundedQueue<EncodedBatch>& input, const Clock& clock,
               Logger logger, std::function<void(const Status&)> on_failure);
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

  std::unique_ptr<trainer::Trainer> trainer_;
  BoundedQueue<EncodedBatch>& input_;
  const Clock& clock_;
  Logger logger_;
  std::function<void(const Status&)> on_failure_;
  TrainingMetrics metrics_;
  int64_t started_ms_ = 0;
  std::jthread thread_;  // last: starts after every field above is set
};

}  // namespace bahed::daemon
