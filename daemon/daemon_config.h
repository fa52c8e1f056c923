#pragma once
// DaemonConfig: every option of the daemon, grouped by the component that
// owns it, and the one place that binds YAML keys to them.
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "consumers/event_stream.h"
#include "daemon/admin_options.h"
#include "encoder/behavior_encoder_options.h"
#include "encoder/llm/llm_options.h"
#include "encoder/shallow_encoder_options.h"
#include "encoder/store/store_options.h"
#include "trainer/distributed/distributed_options.h"
#include "trainer/trainer_options.h"

namespace bahed::daemon {

class ConfigSchema;

struct KafkaSetup {
  // "embedded" starts librdkafka's mock cluster inside the daemon (on
  // loopback, nothing to install); anything else is bootstrap.servers.
  // Default: "embedded".
  std::string bootstrap = "embedded";
  // Partitions of the events topic when the broker is embedded. Default: 4.
  int embedded_partitions = 4;
  // When the broker is embedded, its address is written here for producers
  // (e.g. `bahectl replay --bootstrap-file`). Default: "" (not written).
  std::string embedded_address_file;
};

// The encoder stage: the model, how texts become vectors, what becomes a
// behavior. Enumerations are held as their YAML spelling and parsed once.
struct EncoderSetup {
  encoder::LlmOptions llm;
  // encoder.pooling: "mean" or "last_token" (LlmOptions::pooling).
  std::string pooling = "mean";
  encoder::ShallowEncoderOptions shallow;
  encoder::BehaviorEncoderOptions behaviors;
};

struct StoreSetup {
  encoder::StoreOptions options;
  // store.vector_dtype: "bf16" or "fp16" (StoreOptions::vector_dtype).
  std::string vector_dtype = "bf16";
  // store.compression: "none", "lz4" or "zstd" (StoreOptions::compression).
  std::string compression = "lz4";
};

// The trainer. trainer.n_context is not a key of its own: it is
// encoder.context_length, so encoder and trainer cannot disagree.
struct TrainerSetup {
  trainer::TrainerOptions options;
  // trainer.position_scheme: "alibi" or "rotary".
  std::string position_scheme = "alibi";
  // trainer.lr_schedule: "constant" or "cosine".
  std::string lr_schedule = "constant";
};

// Publication of versions for serving (checkpoints/).
struct CheckpointSetup {
  // checkpoints.publish_dir: where versions appear (v000001/, LATEST).
  // Default: "var/publish".
  std::string publish_dir = "var/publish";
  // checkpoints.state_dir: the private training state of each version
  // (training_state_dir.h), read back on restart. Default: "var/state".
  std::string state_dir = "var/state";
  // checkpoints.keep_versions: complete versions kept. Default: 5.
  int64_t keep_versions = 5;
  // checkpoints.fsync: fsync files and folders before LATEST moves.
  // Default: true.
  bool fsync = true;
  // checkpoints.every_steps: publish after this many optimizer steps;
  // 0 = not by steps. Default: 100.
  int64_t every_steps = 100;
  // checkpoints.every_seconds: publish once this long passed since the
  // last version; 0 = not by time. Default: 300.
  int64_t every_seconds = 300;
};

struct RuntimeOptions {
  // Capacity, in batches, of the queue from the consumer to the next stage;
  // when full, Kafka partitions are paused. Default: 64.
  int64_t events_queue_batches = 64;
  // Capacity, in batches, of the queue from the encoder to the trainer.
  // Default: 16.
  int64_t encoded_queue_batches = 16;
  // LibTorch intra-op threads (process-wide). OpenBLAS spreads each matrix
  // product over the cores already; more torch threads on top of it were
  // 8.7x slower on a 2-core machine. Default: 1.
  int64_t torch_threads = 1;
  // Seconds between progress lines in the log. Default: 5.
  int64_t progress_interval_s = 5;
  // Log level: trace, debug, info, warn, error. Default: "info".
  std::string log_level = "info";
  // Append logs to this file instead of stderr; SIGHUP reopens it (after
  // logrotate moved it). Default: "" (stderr).
  std::string log_file;
  // Stop by itself (as on SIGTERM) once this many messages were consumed;
  // 0 = run until signalled. For demos and tests. Default: 0.
  int64_t stop_after_messages = 0;
  // Stop by itself once no message arrived for this long; 0 = never.
  // For replays of a finite log. Default: 0.
  int64_t stop_when_idle_s = 0;
  // Most glibc malloc arenas (M_ARENA_MAX); 0 keeps glibc's 8 per core.
  // Each arena keeps what was freed into it, so fewer arenas hold less idle
  // memory; the stages' threads rarely allocate at the same moment.
  // Default: 2.
  int64_t malloc_arena_max = 2;
  // Seconds between two returns of freed heap pages to the system
  // (malloc_trim), so the RSS shows what is in use; 0 = never. Default: 60.
  int64_t heap_trim_interval_s = 60;
};

struct DaemonConfig {
  KafkaSetup kafka;
  consumers::EventStreamOptions stream;
  EncoderSetup encoder;
  StoreSetup store;
  TrainerSetup trainer;
  CheckpointSetup checkpoints;
  trainer::DistributedOptions distributed;
  AdminOptions admin;
  RuntimeOptions runtime;

  DaemonConfig();
  // Binds every key to this object's fields (their current values are the defaults).
  void bind(ConfigSchema* schema);
  // Validates every component's options; the message names the key.
  Status validate() const;
  // The options with enumerations parsed (valid after validate()).
  encoder::LlmOptions llm_options() const;
  encoder::StoreOptions store_options() const;
  trainer::TrainerOptions trainer_options() const;
};

}  // namespace bahed::daemon
