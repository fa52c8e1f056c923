#include "daemon/daemon_config.h"

#include "daemon/config_schema.h"

namespace bahed::daemon {
namespace {

void bind_encoder(ConfigSchema* s, EncoderSetup* e) {
  s->bind("encoder.model_dir", &e->llm.model_dir,
          "Hugging Face model directory (config.json, model.safetensors or a sharded index, tokenizer.json\n"
          "or tokenizer.model): Qwen2 or Llama family. ops/run_demo.sh pretrains one into data/base-model.");
  s->bind("encoder.n_layers_shallow", &e->llm.n_layers_shallow,
          "L_s: layers [0, L_s) are frozen and encode each atomic behavior once; the rest are trained.");
  s->bind("encoder.pooling", &e->pooling, "How token states become one behavior vector: mean or last_token.");
  s->bind("encoder.dtype", &e->llm.dtype, "Compute dtype: float32, bfloat16 or float16 (float16 needs cuda).");
  s->bind("encoder.device", &e->llm.device, "cpu, cuda or cuda:<index>.");
  s->bind("encoder.max_tokens", &e->shallow.max_tokens,
          "Token limit per behavior text; longer texts are truncated and counted. Part of the encoder version.");
  s->bind("encoder.batch_tokens", &e->shallow.batch_tokens,
          "Upper bound on rows x padded length of one shallow forward batch.");
  s->bind("encoder.n_workers", &e->shallow.n_workers, "Threads running shallow forward batches side by side.");
  s->bind("encoder.context_length", &e->behaviors.context_length,
          "n: behaviors before each target that the trainer sees (the user's last n, strictly before it).\n"
          "Must not exceed store.history_length.");
  s->bind("encoder.item_feature", &e->behaviors.item_feature,
          "Feature under which item texts are keyed. An impression enters the history as its item (the same\n"
          "vector) with the action clicked or skipped, which the trainer embeds.");
}

void bind_store(ConfigSchema* s, StoreSetup* st) {
  auto& o = st->options;
  s->bind("store.path", &o.path, "Directory of the behavior store (RocksDB): vectors, texts, histories.");
  s->bind("store.block_cache_bytes", &o.block_cache_bytes,
          "RocksDB block cache shared by all column families; the main memory cost of the store.");
  s->bind("store.hot_cache_entries", &o.hot_cache_entries,
          "Decoded vectors kept in an LRU in front of RocksDB (about 4 bytes per dimension each); 0 = off.");
  s->bind("store.vector_dtype", &st->vector_dtype, "Dtype new vectors are stored in: bf16 or fp16.");
  s->bind("store.history_length", &o.history_length, "H: behaviors kept per user history, newest last.");
  s->bind("store.ttl_days", &o.ttl_days,
          "Vectors not looked up for this many days are dropped at compaction (re-encoded if they return);\n"
          "0 keeps them forever.");
  s->bind("store.bloom_bits_per_key", &o.bloom_bits_per_key, "Bloom filter bits per key; 0 disables the filters.");
  s->bind("store.sync_writes", &o.sync_writes,
          "fsync the WAL on every write. Off: the WAL is synced before each checkpoint instead.");
  s->bind("store.write_buffer_bytes", &o.write_buffer_bytes, "Memtable size per column family before a flush.");
  s->bind("store.max_background_jobs", &o.max_background_jobs, "RocksDB flush and compaction threads.");
  s->bind("store.compression", &st->compression, "Block compression: none, lz4 or zstd.");
}

void bind_trainer(ConfigSchema* s, TrainerSetup* t) {
  auto& o = t->options;
  s->bind("trainer.n_targets_per_row", &o.n_targets_per_row,
          "k: targets packed into one DTI row (each with its own window of encoder.context_length\n"
          "behaviors and its own SUM readout); 1 gives sliding-window rows.");
  s->bind("trainer.n_targets_per_step", &o.n_targets_per_step, "Targets per optimizer step (whole rows).");
  s->bind("trainer.max_wait_ms", &o.max_wait_ms,
          "A user's pending targets leave as a shorter row once the oldest waited this long.");
  s->bind("trainer.max_pending_targets", &o.max_pending_targets,
          "Most targets waiting for their rows to fill, over all users; beyond it the rows begun earliest\n"
          "leave short. Bounds what a publication (which trains every pending target first) waits for.");
  s->bind("trainer.position_scheme", &t->position_scheme,
          "Distances in the trained layers: alibi (DTI's fix for positional bias) or rotary (virtual positions).");
  s->bind("trainer.forgetting", &o.model.forgetting,
          "DTI's forgetting: attention penalty per behavior of distance between behaviors; 0 = off.");
  s->bind("trainer.n_head_hidden", &o.model.n_head_hidden, "Hidden width of the MLP head over [SUM, item, SUM*item].");
  s->bind("trainer.lr", &o.lr, "AdamW peak learning rate.");
  s->bind("trainer.weight_decay", &o.weight_decay, "AdamW decoupled weight decay (matrices only).");
  s->bind("trainer.warmup_steps", &o.warmup_steps, "Steps of linear warm-up.");
  s->bind("trainer.lr_schedule", &t->lr_schedule, "After warm-up: constant (online) or cosine.");
  s->bind("trainer.decay_steps", &o.decay_steps, "cosine only: steps from lr to min_lr_ratio * lr.");
  s->bind("trainer.min_lr_ratio", &o.min_lr_ratio, "cosine only: the floor as a fraction of lr.");
  s->bind("trainer.max_grad_norm", &o.max_grad_norm, "Gradient clipping to this global L2 norm; 0 = off.");
  s->bind("trainer.seed", &o.seed, "Seed of the SUM vector and head initialization.");
  s->bind("trainer.auc_window", &o.auc_window,
          "Progressive validation: AUC and logloss over the last this many targets, each scored before training on it.");
  s->bind("trainer.batch.max_padded_slots", &o.batch.max_padded_slots,
          "Upper bound on rows x padded length of one forward/backward pass (activation memory).");
  s->bind("trainer.batch.max_rows", &o.batch.max_rows, "Most rows in one forward/backward pass.");
}

void bind_checkpoints(ConfigSchema* s, CheckpointSetup* c) {
  s->bind("checkpoints.publish_dir", &c->publish_dir,
          "Where versions are published: v000001/ (manifest.json, model.safetensors), LATEST.");
  s->bind("checkpoints.state_dir", &c->state_dir,
          "Private training state saved with each version (optimizer moments, RNG), read back on restart;\n"
          "not for serving.");
  s->bind("checkpoints.keep_versions", &c->keep_versions, "Complete versions kept (older ones are removed).");
  s->bind("checkpoints.fsync", &c->fsync, "fsync files and folders before LATEST moves (off only for tests).");
  s->bind("checkpoints.every_steps", &c->every_steps, "Publish after this many optimizer steps; 0 = not by steps.");
  s->bind("checkpoints.every_seconds", &c->every_seconds,
          "Publish once this many seconds passed since the last version; 0 = not by time.");
}

}  // namespace

trainer::TrainerOptions DaemonConfig::trainer_options() const {
  trainer::TrainerOptions o = trainer.options;
  o.n_context = encoder.behaviors.context_length;
  o.model.position_scheme =
      trainer::parse_position_scheme(trainer.position_scheme).value_or(trainer::PositionScheme::kAlibi);
  o.lr_schedule = trainer::parse_lr_schedule(trainer.lr_schedule).value_or(trainer::LrSchedule::kConstant);
  return o;
}

DaemonConfig::DaemonConfig() {
  stream.bootstrap_servers = "embedded";  // resolved at start-up
  store.options.path = "var/store";
  encoder.llm.model_dir = "data/base-model";
}

encoder::LlmOptions DaemonConfig::llm_options() const {
  encoder::LlmOptions o = encoder.llm;
  o.pooling = encoder::parse_pooling(encoder.pooling).value_or(encoder::Pooling::kMean);
  return o;
}

encoder::StoreOptions DaemonConfig::store_options() const {
  encoder::StoreOptions o = store.options;
  o.vector_dtype = encoder::parse_vector_dtype(store.vector_dtype).value_or(encoder::VectorDtype::kBf16);
  o.compression = encoder::parse_block_compression(store.compression).value_or(encoder::BlockCompression::kLz4);
  return o;
}

void DaemonConfig::bind(ConfigSchema* s) {
  s->bind("kafka.bootstrap", &kafka.bootstrap,
          "Brokers (bootstrap.servers), or \"embedded\" for librdkafka's mock cluster inside the daemon\n"
          "(a real Kafka-protocol broker on loopback; nothing to install).");
  s->bind("kafka.embedded_partitions", &kafka.embedded_partitions, "Partitions of the events topic on the embedded broker.");
  s->bind("kafka.embedded_address_file", &kafka.embedded_address_file,
          "With the embedded broker: file the daemon writes the broker's address to, for producers\n"
          "(bahectl replay --bootstrap-file FILE). Empty: not written.");
  s->bind("kafka.topic", &stream.topic, "Topic the behavior events arrive on (contract v1, key = user id).");
  s->bind("kafka.group_id", &stream.group_id, "Consumer group; bahed processes sharing it split the partitions.");
  s->bind("kafka.dead_letter_topic", &stream.dead_letter_topic,
          "Rejected messages go here as they came, with headers bahed.reason, bahed.detail and\n"
          "bahed.source.{topic,partition,offset}. Empty: rejects are only counted and logged.\n"
          "Each version waits until the topic acknowledged the rejects it covers (30 s at most, else\n"
          "bahed stops and reads them again on restart).");
  s->bind("kafka.dead_letter_max_payload_bytes", &stream.dead_letter_max_payload_bytes,
          "Largest payload a dead letter carries; beyond it the first bytes go with the headers\n"
          "bahed.payload_bytes and bahed.truncated: true (the whole message stays at its source offset).\n"
          "Keep it under the topic's and producer's message.max.bytes.");
  s->bind("kafka.auto_offset_reset", &stream.auto_offset_reset,
          "Where a partition with no committed offset starts: earliest or latest.");
  s->bind("kafka.max_batch_events", &stream.max_batch_events, "Most events handed downstream in one batch.");
  s->bind("kafka.max_batch_wait_ms", &stream.max_batch_wait_ms, "Longest a non-empty batch waits for more events.");
  s->bind("kafka.poll_timeout_ms", &stream.poll_timeout_ms, "How long one consume call blocks when idle.");
  s->bind("kafka.lag_refresh_ms", &stream.lag_refresh_ms,
          "How often the partitions' end offsets are asked of the broker for the consumer lag (own thread).");
  s->bind("kafka.properties", &stream.properties,
          "librdkafka properties passed through unchanged, e.g. security.protocol: SASL_SSL,\n"
          "sasl.mechanisms: PLAIN, sasl.username, sasl.password: \"${env:KAFKA_PASSWORD}\", ssl.ca.location.");
  s->bind("decode.max_message_bytes", &stream.decode.max_message_bytes, "Largest message accepted, in bytes.");
  s->bind("decode.max_text_bytes", &stream.decode.max_text_bytes, "Longest behavior or item text, in bytes.");
  s->bind("decode.max_id_bytes", &stream.decode.max_id_bytes, "Longest user id, item id or feature name, in bytes.");
  s->bind("decode.max_depth", &stream.decode.max_depth, "Deepest JSON nesting accepted.");
  s->bind("decode.min_ts_ms", &stream.decode.min_ts_ms,
          "Earliest event time accepted, ms since the epoch (catches seconds sent as ms).");
  s->bind("decode.max_future_skew_ms", &stream.decode.max_future_skew_ms,
          "How far ahead of the local clock an event time may be, in ms.");
  s->bind("decode.require_key_match", &stream.decode.require_key_match,
          "Refuse messages whose Kafka key differs from their user (keeps a user in one partition).");
  bind_encoder(s, &encoder);
  bind_store(s, &store);
  bind_trainer(s, &trainer);
  bind_checkpoints(s, &checkpoints);
  s->bind("distributed.world_size", &distributed.world_size,
          "bahed processes training one model together (data parallel, gradients averaged through torch\n"
          "c10d); 1 = this process alone. Each rank reads its own share of the partitions.");
  s->bind("distributed.rank", &distributed.rank,
          "This process's rank, 0 .. world_size - 1. Rank 0 hosts the rendezvous and publishes versions.");
  s->bind("distributed.rendezvous", &distributed.rendezvous,
          "HOST:PORT of rank 0's rendezvous store (a torch c10d TCPStore), reachable from every rank.");
  s->bind("distributed.backend", &distributed.backend, "gloo (CPU) or nccl (CUDA builds).");
  s->bind("distributed.interface", &distributed.interface,
          "Network interface gloo listens on (eth0...); empty: loopback for a one-host group, else the\n"
          "interface this host's name resolves to.");
  s->bind("distributed.timeout_ms", &distributed.timeout_ms,
          "Longest wait for the group (joining, each step); past it the rank exits non-zero, to be\n"
          "restarted (systemd) and resume with the others from the last version.");
  s->bind("distributed.idle_step_ms", &distributed.idle_step_ms,
          "A rank without rows waits this long for some, then takes part in the step with zero weight.");
  s->bind("admin.listen", &admin.listen,
          "Admin HTTP (/metrics, /healthz, /readyz, /status) on IP:PORT; loopback unless you expose it on\n"
          "purpose (then set a token); port 0 picks a free one; empty disables it.");
  s->bind("admin.bearer_token", &admin.bearer_token,
          "When set, every admin path but /healthz needs `Authorization: Bearer <token>`; use\n\"${env:BAHED_ADMIN_TOKEN}\".");
  s->bind("runtime.events_queue_batches", &runtime.events_queue_batches,
          "Capacity, in batches, of the queue after the consumer; when full, partitions are paused.");
  s->bind("runtime.encoded_queue_batches", &runtime.encoded_queue_batches,
          "Capacity, in batches, of the queue from the encoder to the trainer.");
  s->bind("runtime.torch_threads", &runtime.torch_threads,
          "LibTorch intra-op threads (OpenBLAS already uses every core for each matrix product).");
  s->bind("runtime.progress_interval_s", &runtime.progress_interval_s, "Seconds between progress lines in the log.");
  s->bind("runtime.log_level", &runtime.log_level, "trace, debug, info, warn or error.");
  s->bind("runtime.log_file", &runtime.log_file,
          "Append logs to this file instead of stderr; SIGHUP reopens it (for logrotate). Empty: stderr.");
  s->bind("runtime.stop_after_messages", &runtime.stop_after_messages,
          "Stop by itself, as on SIGTERM, after this many messages; 0 = run until signalled.");
  s->bind("runtime.stop_when_idle_s", &runtime.stop_when_idle_s,
          "Stop by itself once partitions are assigned and no message arrived for this many seconds;\n0 = never. For replays of a finite log.");
  s->bind("runtime.malloc_arena_max", &runtime.malloc_arena_max,
          "Most glibc malloc arenas (each keeps what was freed into it); 0 = glibc's default of 8 per core.");
  s->bind("runtime.heap_trim_interval_s", &runtime.heap_trim_interval_s,
          "Seconds between returns of freed heap pages to the system (malloc_trim); 0 = never.");
}

Status DaemonConfig::validate() const {
  if (kafka.bootstrap.empty()) return Status::invalid_argument("kafka.bootstrap must be \"embedded\" or host:port[,...]");
  if (kafka.embedded_partitions < 1 || kafka.embedded_partitions > 1024)
    return Status::invalid_argument("kafka.embedded_partitions must be in [1, 1024]");
  BAHED_RETURN_IF_ERROR(stream.validate());
  BAHED_RETURN_IF_ERROR(admin.validate());
  if (!encoder::parse_pooling(encoder.pooling))
    return Status::invalid_argument("encoder.pooling must be mean or last_token, got '" + encoder.pooling + "'");
  BAHED_RETURN_IF_ERROR(llm_options().validate());
  BAHED_RETURN_IF_ERROR(encoder.shallow.validate());
  BAHED_RETURN_IF_ERROR(encoder.behaviors.validate());
  if (!encoder::parse_vector_dtype(store.vector_dtype))
    return Status::invalid_argument("store.vector_dtype must be bf16 or fp16, got '" + store.vector_dtype + "'");
  if (!encoder::parse_block_compression(store.compression))
    return Status::invalid_argument("store.compression must be none, lz4 or zstd, got '" + store.compression + "'");
  BAHED_RETURN_IF_ERROR(store_options().validate());
  if (!trainer::parse_position_scheme(trainer.position_scheme))
    return Status::invalid_argument("trainer.position_scheme must be alibi or rotary, got '" + trainer.position_scheme + "'");
  if (!trainer::parse_lr_schedule(trainer.lr_schedule))
    return Status::invalid_argument("trainer.lr_schedule must be constant or cosine, got '" + trainer.lr_schedule + "'");
  BAHED_RETURN_IF_ERROR(trainer_options().validate());
  if (checkpoints.publish_dir.empty()) return Status::invalid_argument("checkpoints.publish_dir must be set");
  if (checkpoints.state_dir.empty()) return Status::invalid_argument("checkpoints.state_dir must be set");
  if (checkpoints.state_dir == checkpoints.publish_dir)
    return Status::invalid_argument("checkpoints.state_dir must differ from checkpoints.publish_dir (serving reads "
                                    "the publish directory; the state is private)");
  if (checkpoints.keep_versions < 1) return Status::invalid_argument("checkpoints.keep_versions must be >= 1");
  if (checkpoints.every_steps < 0 || checkpoints.every_seconds < 0)
    return Status::invalid_argument("checkpoints.every_steps and checkpoints.every_seconds must be >= 0");
  if (encoder.behaviors.context_length > store.options.history_length)
    return Status::invalid_argument("encoder.context_length (" + std::to_string(encoder.behaviors.context_length) +
                                    ") exceeds store.history_length (" +
                                    std::to_string(store.options.history_length) +
                                    "): raise store.history_length or lower encoder.context_length");
  BAHED_RETURN_IF_ERROR(distributed.validate());
  if (distributed.enabled() && kafka.bootstrap == "embedded")
    return Status::invalid_argument("distributed.world_size > 1 needs kafka.bootstrap naming a cluster every rank "
                                    "reaches (an embedded broker is private to one process)");
  if (runtime.events_queue_batches < 1 || runtime.events_queue_batches > 1'000'000)
    return Status::invalid_argument("runtime.events_queue_batches must be in [1, 1000000]");
  if (runtime.encoded_queue_batches < 1 || runtime.encoded_queue_batches > 1'000'000)
    return Status::invalid_argument("runtime.encoded_queue_batches must be in [1, 1000000]");
  if (runtime.torch_threads < 1 || runtime.torch_threads > 1024)
    return Status::invalid_argument("runtime.torch_threads must be in [1, 1024]");
  if (runtime.progress_interval_s < 1) return Status::invalid_argument("runtime.progress_interval_s must be >= 1");
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error"};
  bool level_ok = false;
  for (const char* l : kLevels) level_ok |= runtime.log_level == l;
  if (!level_ok) return Status::invalid_argument("runtime.log_level must be trace, debug, info, warn or error");
  if (runtime.stop_after_messages < 0) return Status::invalid_argument("runtime.stop_after_messages must be >= 0");
  if (runtime.stop_when_idle_s < 0) return Status::invalid_argument("runtime.stop_when_idle_s must be >= 0");
  if (runtime.malloc_arena_max < 0 || runtime.malloc_arena_max > 1024)
    return Status::invalid_argument("runtime.malloc_arena_max must be in [0, 1024] (0 = glibc's default)");
  if (runtime.heap_trim_interval_s < 0)
    return Status::invalid_argument("runtime.heap_trim_interval_s must be >= 0 (0 = never)");
  return Status::ok();
}

}  // namespace bahed::daemon
