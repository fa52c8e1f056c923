#include "daemon/daemon.h"

#include <pthread.h>

#include "checkpoints/scorer/published_model.h"
#include "common/atomic_file.h"
#include "common/hex64.h"
#include "common/process_memory.h"
#include "encoder/llm/compute_threads.h"

namespace bahed::daemon {
namespace {

// How long a version waits for the dead-letter topic to acknowledge the
// rejects it covers before it fails (the daemon then stops, and the
// restart reads those events again).
constexpr int kDeadLetterFlushTimeoutMs = 30000;

}  // namespace

Daemon::Daemon(const DaemonConfig& config, const Clock& clock)
    : config_(config),
      clock_(clock),
      logger_(make_logger("daemon")),
      events_("events", static_cast<size_t>(config.runtime.events_queue_batches)),
      encoded_("encoded", static_cast<size_t>(config.runtime.encoded_queue_batches)) {}

Status Daemon::open_encoder() {
  encoder::set_compute_threads(static_cast<int>(config_.runtime.torch_threads));
  const auto llm = config_.llm_options();
  logger_->info("model_loading dir={} n_layers_shallow={} pooling={} dtype={} device={}", llm.model_dir,
                llm.n_layers_shallow, config_.encoder.pooling, llm.dtype, llm.device);
  auto text_encoder = encoder::ShallowTextEncoder::load(llm, config_.encoder.shallow);
  if (!text_encoder.is_ok()) return text_encoder.status().with_context("encoder.model_dir " + llm.model_dir);
  text_encoder_ = std::move(text_encoder).value();
  const encoder::EncoderSpec spec{text_encoder_->fingerprint(), text_encoder_->dimension()};
  auto store = encoder::BehaviorStore::open(config_.store_options(), spec, clock_);
  if (!store.is_ok()) return store.status().with_context("store.path " + config_.store.options.path);
  store_ = std::move(store).value();
  const auto& report = store_->open_report();
  logger_->info("store_opened path={} encoder_version={:016x} dimension={} other_versions={}",
                config_.store.options.path, spec.version, spec.dimension, report.other_versions.size());
  if (report.encoder_changed()) {
    logger_->warn("encoder_changed previous_version={:016x} current_version={:016x}: vectors of the new version are "
                  "encoded on demand; `bahectl encode --backfill` does it ahead of time",
                  report.previous->version, spec.version);
  }
  BAHED_ASSIGN_OR_RETURN(encoder_, encoder::BehaviorEncoder::create(config_.encoder.behaviors, *store_, *text_encoder_));
  return Status::ok();
}

ModelIdentity Daemon::model_identity() const {
  return {hex64(text_encoder_->base_model_fingerprint()), hex64(text_encoder_->fingerprint())};
}

Result<std::optional<RestorePoint>> Daemon::restore(trainer::Trainer& trainer) {
  BAHED_ASSIGN_OR_RETURN(std::optional<RestorePoint> point,
                         find_restore_point(config_.checkpoints.publish_dir, config_.checkpoints.state_dir, logger_,
                                            &versions_refused_at_start_));
  if (!point) {
    logger_->info("fresh_start publish_dir={}: no version published yet", config_.checkpoints.publish_dir);
    return point;
  }
  BAHED_RETURN_IF_ERROR(restore_trainer(*point, model_identity(), trainer, logger_));
  // The next version descends from the restored one, also when LATEST named
  // a newer one that did not verify.
  publisher_->set_parent(point->version.version);
  return point;
}

Result<bool> Daemon::join_group(trainer::Trainer& trainer, Publication* publication) {
  const auto& options = config_.distributed;
  logger_->info("group_joining rank={} world_size={} rendezvous={} backend={}", options.rank, options.world_size,
                options.rendezvous, options.backend);
  BAHED_ASSIGN_OR_RETURN(group_, trainer::DataParallelGroup::join(options));
  // Rank 0 publishes and restores; every rank then takes its training
  // state, and the restored version's offsets and event time.
  std::optional<RestorePoint> point;
  if (group_->rank() == 0) {
    BAHED_ASSIGN_OR_RETURN(*publication, open_publication());
    BAHED_ASSIGN_OR_RETURN(point, restore(trainer));
  } else {
    publication->after_publish = [this](const checkpoints::PublishedVersion& v) { commit_offsets(v); };
    publication->before_publish = [this] { return make_intake_durable(); };
  }
  std::string resumed;  // empty: nothing restored
  if (point) {
    RankLineage restored_lineage;
    restored_lineage.event_time_ms = point->version.manifest.fields.event_time_watermark_ms;
    restored_lineage.offsets = point->version.manifest.fields.offsets;
    resumed = restored_lineage.encode();
  }
  try {
    trainer.exchange_state([this](std::vector<torch::Tensor>& tensors) { group_->broadcast_from_rank0(tensors); });
    const std::vector<std::string> all = group_->all_gather_strings("restore", resumed);
    const bool restored = !all.front().empty();
    if (restored) {
      auto lineage = RankLineage::decode(all.front());
      if (!lineage.is_ok()) return lineage.status().with_context("restored version from rank 0");
      publication->resumed_event_time_ms = lineage->event_time_ms;
      publication->resumed_offsets = lineage->offsets;
    }
    publication->group = group_.get();
    publication->idle_step_ms = options.idle_step_ms;
    trainer.set_gradient_reducer(group_.get());
    logger_->info("group_joined rank={} world_size={} restored={} step={}", group_->rank(), group_->world_size(),
                  restored, trainer.n_steps());
    return restored;
  } catch (const std::exception& e) {
    return Status::unavailable(std::string("data-parallel group while restoring: ") + e.what());
  }
}

Status Daemon::make_intake_durable() {
  BAHED_RETURN_IF_ERROR(store_->sync_wal());
  // The version's offsets pass every event consumed so far, the rejected
  // ones included: their dead letters must be in the topic first.
  if (stream_) BAHED_RETURN_IF_ERROR(stream_->flush_dead_letters(kDeadLetterFlushTimeoutMs));
  return Status::ok();
}

void Daemon::commit_offsets(const checkpoints::PublishedVersion& v) {
  std::vector<PartitionWatermark> offsets;
  for (const auto& [partition, offset] : v.manifest.fields.offsets) offsets.push_back({partition, offset});
  // A mirror for lag monitoring: the checkpoint's offsets are the truth.
  if (Status s = stream_->commit(offsets); !s.is_ok()) {
    offset_commit_failures_.fetch_add(1);
    logger_->warn("offset_commit_failed version={} {}", v.version, s.to_string());
  }
}

Result<Publication> Daemon::open_publication() {
  checkpoints::PublisherOptions options;
  options.publish_dir = config_.checkpoints.publish_dir;
  options.keep_versions = config_.checkpoints.keep_versions;
  options.fsync = config_.checkpoints.fsync;
  auto publisher = checkpoints::CheckpointPublisher::open(options, clock_, make_logger("checkpoints"));
  if (!publisher.is_ok()) return publisher.status().with_context("checkpoints.publish_dir " + config_.checkpoints.publish_dir);
  publisher_ = std::move(publisher).value();
  Publication p;
  p.publisher = publisher_.get();
  p.every_steps = config_.checkpoints.every_steps;
  p.every_s = config_.checkpoints.every_seconds;
  const auto& model = text_encoder_->model();
  const ModelIdentity identity = model_identity();
  p.fixed.encoder_fingerprint = identity.encoder_fingerprint;
  p.fixed.base_model_fingerprint = identity.base_model_fingerprint;
  p.fixed.model_config =
      checkpoints::to_json(checkpoints::published_model_config(model, config_.trainer_options()));
  p.state_dir = config_.checkpoints.state_dir;
  p.keep_states = std::min<int64_t>(config_.checkpoints.keep_versions, 2);
  p.before_publish = [this] { return make_intake_durable(); };
  p.after_publish = [this](const checkpoints::PublishedVersion& v) { commit_offsets(v); };
  return p;
}

Result<std::unique_ptr<Daemon>> Daemon::start(const DaemonConfig& config, const Clock& clock) {
  BAHED_RETURN_IF_ERROR(config.validate());
  // Process-wide, and before the stages' threads exist: arenas are created
  // as threads first contend.
  const bool arenas_capped =
      config.runtime.malloc_arena_max == 0 || set_malloc_arena_max(static_cast<int>(config.runtime.malloc_arena_max));
  std::unique_ptr<Daemon> d(new Daemon(config, clock));
  if (!arenas_capped) d->logger_->warn("malloc_arena_max_refused value={}", config.runtime.malloc_arena_max);
  BAHED_RETURN_IF_ERROR(d->open_encoder());
  d->bootstrap_ = config.kafka.bootstrap;
  if (config.kafka.bootstrap == "embedded") {
    consumers::EmbeddedBrokerOptions broker_options;
    broker_options.topics = {config.stream.topic + ":" + std::to_string(config.kafka.embedded_partitions)};
    if (!config.stream.dead_letter_topic.empty()) broker_options.topics.push_back(config.stream.dead_letter_topic + ":1");
    BAHED_ASSIGN_OR_RETURN(d->broker_, consumers::EmbeddedBroker::start(broker_options));
    d->bootstrap_ = d->broker_->bootstrap_servers();
    d->logger_->info("embedded_broker_started bootstrap={} topic={} partitions={}", d->bootstrap_, config.stream.topic,
                     config.kafka.embedded_partitions);
    if (!config.kafka.embedded_address_file.empty()) {
      BAHED_RETURN_IF_ERROR(write_file_atomically(config.kafka.embedded_address_file, d->bootstrap_ + "\n")
                                .with_context("kafka.embedded_address_file"));
    }
  }
  auto trainer = std::make_unique<trainer::Trainer>(d->text_encoder_->model(), config.trainer_options(), clock);
  Publication publication;
  bool restored = false;
  if (config.distributed.enabled()) {
    BAHED_ASSIGN_OR_RETURN(restored, d->join_group(*trainer, &publication));
  } else {
    BAHED_ASSIGN_OR_RETURN(publication, d->open_publication());
    BAHED_ASSIGN_OR_RETURN(std::optional<RestorePoint> point, d->restore(*trainer));
    if (point) {
      restored = true;
      publication.resumed_offsets = point->version.manifest.fields.offsets;
      publication.resumed_event_time_ms = point->version.manifest.fields.event_time_watermark_ms;
    }
  }
  // Restored: every partition starts at the version's offset; a partition
  // it does not name had no event before it, so it starts at the beginning.
  // Fresh: the group's committed offsets (mirrors of earlier checkpoints
  // elsewhere), else stream.auto_offset_reset.
  consumers::EventStream::StartOffsetFn start_offset;
  if (restored) {
    start_offset = [offsets = publication.resumed_offsets](int32_t partition) -> std::optional<int64_t> {
      const auto it = offsets.find(partition);
      return it == offsets.end() ? 0 : it->second;
    };
  }
  consumers::EventStreamOptions stream_options = config.stream;
  stream_options.bootstrap_servers = d->bootstrap_;
  if (config.distributed.enabled()) {
    // A fixed share of the partitions per rank (no rebalancing under a
    // lockstep group; a rank joining or leaving restarts the group).
    stream_options.share_count = config.distributed.world_size;
    stream_options.share_index = config.distributed.rank;
  }
  BAHED_ASSIGN_OR_RETURN(d->stream_, consumers::EventStream::create(stream_options, &d->events_, clock,
                                                                    make_logger("consumer"), std::move(start_offset)));
  d->encoder_thread_ = std::jthread([raw = d.get()](std::stop_token stop) { raw->run_encoder(stop); });
  d->training_ = std::make_unique<TrainingLoop>(std::move(trainer), d->encoded_, clock, make_logger("trainer"),
                                                [raw = d.get()](const Status& s) { raw->fail(s); },
                                                std::move(publication));
  BAHED_RETURN_IF_ERROR(d->stream_->start());
  d->started_ms_ = d->last_progress_ms_ = d->last_heap_trim_ms_ = d->last_activity_ms_ = clock.steady_ms();
  if (!config.admin.listen.empty()) {
    auto admin = AdminServer::start(
        config.admin, [raw = d.get()](std::string_view path) { return raw->admin_response(path); },
        make_logger("admin"));
    if (!admin.is_ok()) {
      return admin.status().with_context("admin server (set admin.listen to a free port, or empty to disable it)");
    }
    d->admin_ = std::move(admin).value();
  }
  return d;
}

Daemon::~Daemon() {
  if (!stopped_) stop().ignore();  // backstop; main stops explicitly and reports
}

void Daemon::fail(const Status& status) {
  std::lock_guard lock(failure_mu_);
  if (failure_.is_ok()) {
    failure_ = status;
    logger_->error("stage_failed {}", status.to_string());
  }
}

Status Daemon::stage_health() const {
  std::lock_guard lock(failure_mu_);
  return failure_;
}

void Daemon::run_encoder(std::stop_token stop) {
  pthread_setname_np(pthread_self(), "bahed-encoder");
  while (true) {
    auto batch = events_.pop_for(std::chrono::milliseconds(100));
    if (!batch) {
      if (events_.closed() || stop.stop_requested()) break;
      continue;
    }
    auto encoded = encoder_->encode(*batch);
    if (!encoded.is_ok()) {
      // The writing path stops here: nothing built on a failed write is
      // handed on; the daemon exits non-zero and restarts from the last
      // checkpoint.
      fail(encoded.status().with_context("encoder stage"));
      break;
    }
    if (!encoded_.push(std::move(encoded).value())) break;  // closed: shutting down
  }
  encoded_.close();
}

bool Daemon::should_stop() {
  if (!stream_->health().is_ok() || !stage_health().is_ok()) return true;
  // In a group, another rank's stop ends every rank's training loop (after
  // the group's final version): this rank stops too.
  if (training_->finished()) return true;
  const auto& m = stream_->metrics();
  const uint64_t consumed = m.messages_consumed.load();
  const int64_t now = clock_.steady_ms();
  // Idleness counts only while partitions are assigned: joining the group
  // (seconds on a fresh cluster) is not idleness.
  // Work still flowing through the encoder or the trainer also counts as
  // activity, so a finite replay stops once it is trained, not once it is
  // merely consumed.
  const uint64_t trained = training_->metrics().targets_trained.load();
  if (consumed != last_seen_consumed_ || m.partitions_assigned.load() == 0 || events_.size() > 0 ||
      encoded_.size() > 0 || trained != last_seen_trained_) {
    last_seen_consumed_ = consumed;
    last_seen_trained_ = trained;
    last_activity_ms_ = now;
  }
  if (config_.runtime.stop_after_messages > 0 && consumed >= static_cast<uint64_t>(config_.runtime.stop_after_messages))
    return true;
  if (config_.runtime.stop_when_idle_s > 0 && now - last_activity_ms_ >= config_.runtime.stop_when_idle_s * 1000)
    return true;
  return false;
}

void Daemon::tick() {
  const int64_t now = clock_.steady_ms();
  if (now - last_progress_ms_ >= config_.runtime.progress_interval_s * 1000) log_progress();
  if (config_.runtime.heap_trim_interval_s > 0 && now - last_heap_trim_ms_ >= config_.runtime.heap_trim_interval_s * 1000) {
    last_heap_trim_ms_ = now;
    trim_heap();
  }
}

void Daemon::trim_heap() {
  const int64_t before = resident_memory_bytes();
  const auto started = std::chrono::steady_clock::now();
  release_free_heap();
  const auto took_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count();
  const int64_t released = std::max<int64_t>(0, before - resident_memory_bytes());
  heap_trims_.fetch_add(1, std::memory_order_relaxed);
  heap_released_bytes_.fetch_add(static_cast<uint64_t>(released), std::memory_order_relaxed);
  heap_trim_ns_.fetch_add(static_cast<uint64_t>(took_ns), std::memory_order_relaxed);
  logger_->debug("heap_trimmed released_mb={} rss_mb={} took_ms={:.1f}", released >> 20, (before - released) >> 20,
                 took_ns / 1e6);
}

void Daemon::log_progress() {
  const auto& m = stream_->metrics();
  const int64_t now = clock_.steady_ms();
  const uint64_t consumed = m.messages_consumed.load();
  const double seconds = std::max<int64_t>(1, now - last_progress_ms_) / 1000.0;
  const double rate = (consumed - last_progress_consumed_) / seconds;
  const auto& em = encoder_->metrics();
  const auto& tm = training_->metrics();
  const uint64_t trained = tm.targets_trained.load();
  const double trained_rate = (trained - last_progress_trained_) / seconds;
  events_per_s_.store(rate);
  targets_per_s_.store(trained_rate);
  last_progress_ms_ = now;
  last_progress_consumed_ = consumed;
  last_progress_trained_ = trained;
  // RocksDB's part of rss_mb (block cache + memtables): what a flat or
  // climbing RSS curve is made of.
  const encoder::StoreStats store = store_->stats();
  const uint64_t store_memory_bytes = store.block_cache_usage_bytes + store.memtable_bytes;
  logger_->info(
      "progress consumed={} rejected={} skipped={} events_per_s={:.0f} lag={} partitions={} encoded={} cache_hits={} "
      "targets={} trained={} targets_per_s={:.0f} pending={} steps={} loss={:.4f} auc={:.4f} logloss={:.4f} "
      "trainer_busy={:.0f}% queues={}/{},{}/{} rss_mb={} store_mb={}",
      consumed, m.total_rejected(), m.offsets_skipped.load(), rate, m.total_lag(), m.partitions_assigned.load(), em.lookup_misses.load(),
      em.lookup_hits.load(), em.targets.load(), trained, trained_rate, tm.pending_targets.load(), tm.steps.load(),
      tm.last_loss.load(), tm.progressive_auc.load(), tm.progressive_logloss.load(), 100 * training_->busy_fraction(),
      events_.size(), events_.capacity(), encoded_.size(), encoded_.capacity(), resident_memory_bytes() >> 20,
      store_memory_bytes >> 20);
}

Status Daemon::stop() {
  if (stopped_) return Status::ok();
  stopped_ = true;
  if (admin_) admin_->stop();
  if (!stream_ || !encoder_ || !training_) {  // start() failed part way: release what exists
    events_.close();
    encoded_.close();
    if (store_) store_->close().ignore();  // start() already reports the error that got us here
    return Status::ok();
  }
  Status result = stream_->health();
  if (!stage_health().is_ok()) {
    // A stage died: nothing drains the queues after it any more, and the
    // stages before it would wait forever to hand on their last batch.
    // Closed first, the queues let them go; what they held is in no
    // version's offsets, so a restart reads it again.
    events_.close();
    encoded_.close();
  }
  stream_->stop_consuming();
  // The encoder finishes what the consumer handed it, then closes its
  // output queue, which ends the drain.
  events_.close();
  if (encoder_thread_.joinable()) encoder_thread_.join();
  encoded_.close();
  // Trains every pending target and publishes the final version, whose
  // offsets are committed while the consumer is still in the group.
  if (training_) training_->join();
  const Status stream_stopped = stream_->stop();
  if (result.is_ok()) result = stream_stopped;
  if (result.is_ok()) result = stage_health();
  if (store_) {
    const Status closed = store_->close();
    if (result.is_ok()) result = closed;
  }
  const auto& em = encoder_->metrics();
  const auto& tc = text_encoder_->counters();
  logger_->info("encoder_summary events={} targets={} behaviors={} unique_in_batches={} cache_hits={} encoded={} "
                "reencoded_from_text={} truncated={} encode_s={:.2f} lookup_s={:.2f} write_s={:.2f}",
                em.events.load(), em.targets.load(), em.behaviors.load(), em.behaviors_unique_in_batch.load(),
                em.lookup_hits.load(), em.lookup_misses.load(), em.reencoded_from_text.load(), tc.truncated.load(),
                em.encode_ns.load() / 1e9, em.lookup_ns.load() / 1e9, em.write_ns.load() / 1e9);
  const auto& tm = training_->metrics();
  logger_->info("trainer_summary steps={} targets_trained={} progressive_auc={:.4f} progressive_logloss={:.4f} "
                "last_loss={:.4f} busy={:.0f}%",
                tm.steps.load(), tm.targets_trained.load(), tm.progressive_auc.load(), tm.progressive_logloss.load(),
                tm.last_loss.load(), 100 * training_->busy_fraction());
  const auto& m = stream_->metrics();
  std::string reasons;
  for (size_t i = 0; i < consumers::kNumRejectReasons; ++i) {
    const uint64_t n = m.rejected[i].load();
    if (n) reasons += " " + std::string(consumers::reject_reason_name(static_cast<consumers::RejectReason>(i))) + "=" + std::to_string(n);
  }
  const double seconds = std::max<int64_t>(1, clock_.steady_ms() - started_ms_) / 1000.0;
  logger_->info("summary consumed={} impressions={} behaviors={} rejected={} dead_lettered={} dead_letter_failed={} "
                "kafka_errors={} pauses={} offsets_skipped={} seconds={:.1f} events_per_s={:.0f}{}{}",
                m.messages_consumed.load(), m.impressions_accepted.load(), m.behaviors_accepted.load(),
                m.total_rejected(), m.dead_letter_produced.load(), m.dead_letter_failed.load(), m.kafka_errors.load(),
                m.pauses.load(), m.offsets_skipped.load(), seconds, m.messages_consumed.load() / seconds, reasons.empty() ? "" : " by_reason:",
                reasons);
  return result;
}

}  // namespace bahed::daemon
