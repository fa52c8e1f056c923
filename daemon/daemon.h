#pragma once
// Daemon: owns and wires the stages (consumers -> ...), their queues and
// threads, and decides when to stop. The only class that knows every stage.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "common/bounded_queue.h"
#include "common/clock.h"
#include "common/encoded_batch.h"
#include "common/event.h"
#include "common/logger.h"
#include "common/result.h"
#include "consumers/embedded_broker.h"
#include "daemon/admin_server.h"
#include "consumers/event_stream.h"
#include "daemon/daemon_config.h"
#include "encoder/behavior_encoder.h"
#include "encoder/store/behavior_store.h"
#include "encoder/shallow_text_encoder.h"
#include "daemon/restore_point.h"
#include "daemon/training_loop.h"
#include "trainer/distributed/data_parallel_group.h"

namespace bahed::daemon {

class Daemon {
 public:
  // Starts the embedded broker if configured, then the stages.
  static Result<std::unique_ptr<Daemon>> start(const DaemonConfig& config, const Clock& clock);
  ~Daemon();

  // True once a configured stop condition holds (message count, idleness)
  // or a stage failed; the caller then calls stop().
  bool should_stop();
  // Drains and stops every stage, logs the final summary. Returns the first
  // error of any stage (the exit status is non-zero then).
  Status stop();
  // Periodic housekeeping, called by the main loop every ~200 ms: a
  // progress line every runtime.progress_interval_s, freed heap returned to
  // the system every runtime.heap_trim_interval_s.
  void tick();

  const consumers::ConsumerMetrics& consumer_metrics() const { return stream_->metrics(); }
  const encoder::BehaviorEncoderMetrics& encoder_metrics() const { return encoder_->metrics(); }
  const TrainingMetrics& training_metrics() const { return training_->metrics(); }
  // The encoder version and dimension the store is open for.
  const encoder::EncoderSpec& encoder_spec() const { return store_->encoder(); }
  // bootstrap.servers in use (the embedded broker's address when embedded).
  const std::string& bootstrap_servers() const { return bootstrap_; }
  // Partitions assigned and no stage failed (/readyz).
  bool ready() const;
  // What the admin server answers for `path` (daemon_admin.cpp). Safe from
  // any thread.
  AdminResponse admin_response(std::string_view path) const;
  // The admin server's bound port; 0 when admin.listen is empty.
  uint16_t admin_port() const { return admin_ ? admin_->port() : 0; }

 private:
  Daemon(const DaemonConfig& config, const Clock& clock);
  Status open_encoder();
  Result<Publication> open_publication();
  // Data-parallel: joins the group; rank 0 opens the publisher and restores,
  // then every rank takes rank 0's training state and resumed offsets.
  // Returns whether a version was restored.
  Result<bool> join_group(trainer::Trainer& trainer, Publication* publication);
  // Before a version is written: what its offsets cover is durable (the
  // store's WAL, the dead letters of rejected events); else the version
  // must not be written.
  Status make_intake_durable();
  // After a version is durable: its offsets (this rank's partitions) to
  // the consumer group, as a mirror for lag monitoring.
  void commit_offsets(const checkpoints::PublishedVersion& v);
  ModelIdentity model_identity() const;
  // Loads the newest valid published version (and its training state) into
  // `trainer`; nullopt when there is none.
  Result<std::optional<RestorePoint>> restore(trainer::Trainer& trainer);
  void run_encoder(std::stop_token stop);
  void log_progress();
  void trim_heap();
  std::string metrics_text() const;
  std::string status_json() const;
  // First error of a stage thread; it stops the daemon.
  void fail(const Status& status);
  Status stage_health() const;

  const DaemonConfig config_;
  const Clock& clock_;
  Logger logger_;
  std::string bootstrap_;
  std::unique_ptr<consumers::EmbeddedBroker> broker_;
  BoundedQueue<EventBatch> events_;
  BoundedQueue<EncodedBatch> encoded_;
  std::unique_ptr<encoder::ShallowTextEncoder> text_encoder_;
  std::unique_ptr<encoder::BehaviorStore> store_;
  std::unique_ptr<encoder::BehaviorEncoder> encoder_;
  std::unique_ptr<consumers::EventStream> stream_;
  std::jthread encoder_thread_;
  std::unique_ptr<checkpoints::CheckpointPublisher> publisher_;
  std::unique_ptr<trainer::DataParallelGroup> group_;  // data-parallel only
  std::unique_ptr<TrainingLoop> training_;
  std::unique_ptr<AdminServer> admin_;  // after the stages it reads: stopped first
  mutable std::mutex failure_mu_;
  Status failure_;  // guarded by failure_mu_

  int64_t started_ms_ = 0;
  int64_t last_progress_ms_ = 0;
  int64_t last_heap_trim_ms_ = 0;
  uint64_t last_progress_consumed_ = 0;
  uint64_t last_progress_targets_ = 0;
  uint64_t last_progress_trained_ = 0;
  uint64_t last_seen_consumed_ = 0;
  uint64_t last_seen_trained_ = 0;
  int64_t last_activity_ms_ = 0;
  // Rates of the last progress interval, for /status.
  std::atomic<double> events_per_s_{0};
  std::atomic<double> targets_per_s_{0};
  bool stopped_ = false;
  // Warned about in the log and counted for /metrics: worth an alert, not a stop.
  int64_t versions_refused_at_start_ = 0;  // written before the admin server starts
  std::atomic<uint64_t> offset_commit_failures_{0};
  // Heap trims (main loop thread), for /metrics.
  std::atomic<uint64_t> heap_trims_{0};
  std::atomic<uint64_t> heap_released_bytes_{0};
  std::atomic<uint64_t> heap_trim_ns_{0};
};

}  // namespace bahed::daemon
