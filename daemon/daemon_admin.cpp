// The Daemon's admin endpoints: what /metrics, /healthz, /readyz and
// /status answer, read from the stages' metrics (atomics, or snapshots taken
// under their mutex), so the admin thread never waits for a stage.
#include "common/json_writer.h"
#include "common/process_memory.h"
#include "daemon/daemon.h"
#include "daemon/prometheus_text.h"

namespace bahed::daemon {

bool Daemon::ready() const {
  return stream_->health().is_ok() && stage_health().is_ok() && stream_->metrics().partitions_assigned.load() > 0;
}

AdminResponse Daemon::admin_response(std::string_view path) const {
  if (path == "/metrics") return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_text()};
  if (path == "/status") return {200, "application/json", status_json()};
  if (path == "/healthz") {
    Status health = stream_->health();
    if (health.is_ok()) health = stage_health();
    return health.is_ok() ? AdminResponse{200, "text/plain; charset=utf-8", "ok\n"}
                          : AdminResponse{503, "text/plain; charset=utf-8", health.to_string() + "\n"};
  }
  if (path == "/readyz") {
    return ready() ? AdminResponse{200, "text/plain; charset=utf-8", "ready\n"}
                   : AdminResponse{503, "text/plain; charset=utf-8", "not ready: no partition assigned yet or a stage failed\n"};
  }
  return {404, "text/plain; charset=utf-8", "not found; try /metrics, /healthz, /readyz, /status\n"};
}

std::string Daemon::metrics_text() const {
  PrometheusText p;
  const auto& c = stream_->metrics();
  p.family("bahed_events_total", "counter", "Messages consumed, by outcome.");
  p.sample("bahed_events_total", static_cast<double>(c.impressions_accepted.load()), {{"outcome", "impression"}});
  p.sample("bahed_events_total", static_cast<double>(c.behaviors_accepted.load()), {{"outcome", "behavior"}});
  p.sample("bahed_events_total", static_cast<double>(c.total_rejected()), {{"outcome", "rejected"}});
  p.family("bahed_events_rejected_total", "counter", "Messages dead-lettered, by reason.");
  for (size_t i = 0; i < consumers::kNumRejectReasons; ++i) {
    p.sample("bahed_events_rejected_total", static_cast<double>(c.rejected[i].load()),
             {{"reason", std::string(consumers::reject_reason_name(static_cast<consumers::RejectReason>(i)))}});
  }
  p.single("bahed_dead_letter_failed_total", "counter", "Rejected messages the dead-letter producer could not take.",
           static_cast<double>(c.dead_letter_failed.load()));
  p.single("bahed_kafka_errors_total", "counter", "Transient consumer errors.", static_cast<double>(c.kafka_errors.load()));
  p.single("bahed_consumer_pauses_total", "counter", "Times back-pressure paused the partitions.",
           static_cast<double>(c.pauses.load()));
  p.single("bahed_consumer_offsets_skipped_total", "counter",
           "Offsets jumped over because the broker no longer held them (lost to training), or transaction markers.",
           static_cast<double>(c.offsets_skipped.load()));
  p.single("bahed_partitions_assigned", "gauge", "Partitions this process consumes.",
           static_cast<double>(c.partitions_assigned.load()));
  p.family("bahed_consumer_lag", "gauge", "Messages behind the partition's end, per partition.");
  for (const auto& [partition, progress] : c.partitions_snapshot()) {
    if (progress.lag() >= 0) p.sample("bahed_consumer_lag", static_cast<double>(progress.lag()), {{"partition", std::to_string(partition)}});
  }

  const auto& e = encoder_->metrics();
  p.single("bahed_behaviors_total", "counter", "Atomic behaviors named by events (items and history behaviors).",
           static_cast<double>(e.behaviors.load()));
  p.family("bahed_behavior_lookups_total", "counter", "Distinct behaviors looked up in the store, by result.");
  p.sample("bahed_behavior_lookups_total", static_cast<double>(e.lookup_hits.load()), {{"result", "hit"}});
  p.sample("bahed_behavior_lookups_total", static_cast<double>(e.lookup_misses.load()), {{"result", "miss"}});
  p.single("bahed_behaviors_encoded_total", "counter", "Behaviors encoded by the shallow layers (store misses).",
           static_cast<double>(e.lookup_misses.load()));
  p.single("bahed_context_missing_total", "counter", "History behaviors with neither vector nor text (should stay 0).",
           static_cast<double>(e.context_missing.load()));
  p.family("bahed_encoder_seconds_total", "counter", "Encoder stage time, by phase.");
  p.sample("bahed_encoder_seconds_total", e.encode_ns.load() / 1e9, {{"phase", "encode"}});
  p.sample("bahed_encoder_seconds_total", e.lookup_ns.load() / 1e9, {{"phase", "lookup"}});
  p.sample("bahed_encoder_seconds_total", e.write_ns.load() / 1e9, {{"phase", "write"}});

  if (store_) {
    // RocksDB's share of the resident memory, and what grows on disk.
    const encoder::StoreStats s = store_->stats();
    p.family("bahed_store_memory_bytes", "gauge",
             "Behavior store memory: block cache (data, index and filter blocks; capped by store.block_cache_bytes) "
             "and memtables (up to store.write_buffer_bytes x 2 per column family).");
    p.sample("bahed_store_memory_bytes", static_cast<double>(s.block_cache_usage_bytes), {{"kind", "block_cache"}});
    p.sample("bahed_store_memory_bytes", static_cast<double>(s.memtable_bytes), {{"kind", "memtables"}});
    p.family("bahed_store_sst_bytes", "gauge", "Behavior store SST files on disk, by column family.");
    p.sample("bahed_store_sst_bytes", static_cast<double>(s.vectors_size_on_disk_bytes), {{"family", "vectors"}});
    p.sample("bahed_store_sst_bytes", static_cast<double>(s.histories_size_on_disk_bytes), {{"family", "histories"}});
    p.sample("bahed_store_sst_bytes", static_cast<double>(s.texts_size_on_disk_bytes), {{"family", "texts"}});
    p.family("bahed_store_keys_estimate", "gauge", "RocksDB's estimate of the keys per column family.");
    p.sample("bahed_store_keys_estimate", static_cast<double>(s.n_vectors_estimate), {{"family", "vectors"}});
    p.sample("bahed_store_keys_estimate", static_cast<double>(s.n_histories_estimate), {{"family", "histories"}});
    p.sample("bahed_store_keys_estimate", static_cast<double>(s.n_texts_estimate), {{"family", "texts"}});
    p.family("bahed_store_block_cache_lookups_total", "counter", "Block cache lookups, by result.");
    p.sample("bahed_store_block_cache_lookups_total", static_cast<double>(s.n_block_cache_hits), {{"result", "hit"}});
    p.sample("bahed_store_block_cache_lookups_total", static_cast<double>(s.n_block_cache_misses), {{"result", "miss"}});
  }

  const auto& t = training_->metrics();
  p.single("bahed_train_steps_total", "counter", "Optimizer steps.", static_cast<double>(t.steps.load()));
  p.single("bahed_targets_trained_total", "counter", "Labelled targets trained by this process.",
           static_cast<double>(t.targets_trained.load()));
  p.single("bahed_pending_targets", "gauge", "Targets waiting for their DTI row.", static_cast<double>(t.pending_targets.load()));
  p.single("bahed_train_loss", "gauge", "Mean BCE of the last step.", t.last_loss.load());
  p.single("bahed_progressive_auc", "gauge", "AUC of targets scored before being trained on (recent window).",
           t.progressive_auc.load());
  p.single("bahed_progressive_logloss", "gauge", "Logloss of targets scored before being trained on (recent window).",
           t.progressive_logloss.load());
  p.single("bahed_train_step_seconds_total", "counter", "Time inside optimizer steps.", t.step_ns.load() / 1e9);
  p.single("bahed_trainer_busy_seconds_total", "counter", "Trainer thread time spent queueing and training.",
           t.busy_ns.load() / 1e9);
  p.single("bahed_group_world_size", "gauge", "Ranks in the data-parallel group (1: alone).",
           static_cast<double>(config_.distributed.world_size));
  p.single("bahed_group_rank", "gauge", "This process's rank in the group.", static_cast<double>(config_.distributed.rank));
  p.single("bahed_group_idle_steps_total", "counter", "Group steps this rank took part in without rows (zero weight).",
           static_cast<double>(t.idle_steps.load()));
  p.single("bahed_group_seconds_total", "counter", "Time in the group's per-tick agreement all-reduces and barriers.",
           t.group_ns.load() / 1e9);
  p.single("bahed_group_allreduce_seconds_total", "counter",
           "Time in the gradient all-reduce (part of the step time; idle steps included).",
           group_ ? group_->reduce_seconds() : 0.0);

  const int64_t now = clock_.now_ms();
  const int64_t published_at = t.published_at_ms.load();
  p.single("bahed_published_version", "gauge", "Last version published (0: none yet).",
           static_cast<double>(t.published_version.load()));
  p.single("bahed_publish_failures_total", "counter", "Publications that failed.", static_cast<double>(t.publish_failures.load()));
  p.single("bahed_versions_refused_at_start", "gauge",
           "Published versions passed over at start-up because they did not verify (corrupt or incomplete).",
           static_cast<double>(versions_refused_at_start_));
  p.single("bahed_training_state_prune_failures_total", "counter",
           "Times old training states could not be removed (disk use grows; the versions are fine).",
           static_cast<double>(t.state_prune_failures.load()));
  p.single("bahed_offset_commit_failures_total", "counter",
           "Offset commits to the group that failed (only lag monitoring sees stale offsets; versions hold the truth).",
           static_cast<double>(offset_commit_failures_.load()));
  p.single("bahed_publish_pause_seconds", "gauge", "Duration of the last publication (the trainer waits for it).",
           t.last_publish_ms.load() / 1e3);
  p.single("bahed_checkpoint_age_seconds", "gauge", "Seconds since the last version was published (NaN: none yet).",
           published_at > 0 ? (now - published_at) / 1e3 : std::nan(""));
  p.single("bahed_freshness_seconds", "gauge",
           "Now minus the event time of the newest event in the published model (NaN: none yet).",
           published_at > 0 ? (now - t.published_event_time_ms.load()) / 1e3 : std::nan(""));

  p.family("bahed_queue_depth", "gauge", "Batches waiting between stages.");
  p.sample("bahed_queue_depth", static_cast<double>(events_.size()), {{"queue", "events"}});
  p.sample("bahed_queue_depth", static_cast<double>(encoded_.size()), {{"queue", "encoded"}});
  p.family("bahed_queue_capacity", "gauge", "Capacity of the queues between stages.");
  p.sample("bahed_queue_capacity", static_cast<double>(events_.capacity()), {{"queue", "events"}});
  p.sample("bahed_queue_capacity", static_cast<double>(encoded_.capacity()), {{"queue", "encoded"}});
  p.single("bahed_ready", "gauge", "1 once partitions are assigned and no stage failed.", ready() ? 1 : 0);
  p.single("bahed_uptime_seconds", "gauge", "Seconds since start.", (clock_.steady_ms() - started_ms_) / 1e3);
  p.single("bahed_resident_memory_bytes", "gauge", "Resident set size of the process.",
           static_cast<double>(resident_memory_bytes()));
  p.single("bahed_heap_trims_total", "counter", "Times freed heap pages were returned to the system (malloc_trim).",
           static_cast<double>(heap_trims_.load()));
  p.single("bahed_heap_released_bytes_total", "counter", "Resident memory the heap trims gave back.",
           static_cast<double>(heap_released_bytes_.load()));
  p.single("bahed_heap_trim_seconds_total", "counter", "Time spent in heap trims (allocations of the arena walked wait).",
           heap_trim_ns_.load() / 1e9);
  return p.text();
}

std::string Daemon::status_json() const {
  const auto& c = stream_->metrics();
  const auto& t = training_->metrics();
  JsonWriter w;
  w.begin_object();
  w.key("ready").value(ready());
  w.key("uptime_s").value((clock_.steady_ms() - started_ms_) / 1e3);
  w.key("published_version").value(t.published_version.load());
  w.key("step").value(static_cast<int64_t>(t.steps.load()));
  w.key("targets_trained").value(static_cast<int64_t>(t.targets_trained.load()));
  w.key("pending_targets").value(t.pending_targets.load());
  w.key("progressive_auc").value(t.progressive_auc.load());
  w.key("progressive_logloss").value(t.progressive_logloss.load());
  w.key("consumed").value(static_cast<int64_t>(c.messages_consumed.load()));
  w.key("rejected").value(static_cast<int64_t>(c.total_rejected()));
  w.key("lag").value(c.total_lag());
  w.key("partitions").begin_object();
  for (const auto& [partition, progress] : c.partitions_snapshot()) {
    w.key(std::to_string(partition)).begin_object().key("next_offset").value(progress.next_offset);
    w.key("lag").value(progress.lag()).end_object();
  }
  w.end_object();
  w.key("events_per_s").value(events_per_s_.load());
  w.key("targets_per_s").value(targets_per_s_.load());
  w.key("trainer_busy").value(training_->busy_fraction());
  w.key("resident_bytes").value(resident_memory_bytes());
  w.end_object();
  return w.take() + "\n";
}

}  // namespace bahed::daemon
