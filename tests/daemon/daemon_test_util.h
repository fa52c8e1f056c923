#pragma once
// What the daemon's tests share: a tiny random model in the Hugging Face
// layout, a configuration small enough to run in seconds, and events.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "consumers/kafka_producer.h"
#include "daemon/daemon_config.h"
#include "tests/encoder/llm/tiny_model.h"

namespace bahed::daemon::testing {

// A random 3-layer model with the byte-level tokenizer, in the HF layout.
inline void write_tiny_model(const std::filesystem::path& dir, uint64_t seed = 5) {
  encoder::llm_test::write_tiny_byte_model(dir, seed, 3);
}

inline std::string event_json(int user, int i) {
  const std::string u = "u" + std::to_string(user);
  const std::string ts = std::to_string(1'700'000'000'000 + i);
  if (i % 3 == 0) {
    return R"({"v":1,"type":"behavior","user":")" + u + R"(","ts":)" + ts + R"(,"text":"searched: movie )" +
           std::to_string(i % 11) + R"("})";
  }
  return R"({"v":1,"type":"impression","user":")" + u + R"(","ts":)" + ts + R"(,"item":{"id":"m)" +
         std::to_string(i % 13) + R"(","text":"Movie )" + std::to_string(i % 13) + R"( (1999) | Drama"},"label":)" +
         std::to_string(i % 2) + "}";
}

// Produces events [from, to) of users 0..n_users-1 (event_json, key = the
// user) to `topic` and waits until the broker has them; returns the
// impressions among them (every event with i % 3 != 0).
inline int produce_events(const std::string& bootstrap, const std::string& topic, int n_users, int from, int to,
                          int flush_timeout_ms = 10000) {
  auto producer = consumers::KafkaProducer::create(bootstrap, {});
  EXPECT_TRUE(producer.is_ok()) << producer.status().to_string();
  if (!producer.is_ok()) return 0;
  int impressions = 0;
  for (int i = from; i < to; ++i) {
    for (int u = 0; u < n_users; ++u) {
      EXPECT_TRUE((*producer)->produce(topic, "u" + std::to_string(u), event_json(u, i)).is_ok());
      impressions += i % 3 != 0;
    }
  }
  EXPECT_TRUE((*producer)->flush(flush_timeout_ms).is_ok());
  return impressions;
}

// Everything under `dir` (model, store, publish, state); the embedded
// broker with 2 partitions; small rows and frequent versions.
inline DaemonConfig small_daemon_config(const std::filesystem::path& dir) {
  DaemonConfig config;
  config.kafka.embedded_partitions = 2;
  config.stream.properties["session.timeout.ms"] = "6000";
  config.stream.properties["heartbeat.interval.ms"] = "500";
  config.stream.max_batch_wait_ms = 20;
  config.encoder.llm.model_dir = (dir / "model").string();
  config.encoder.llm.n_layers_shallow = 1;
  config.encoder.behaviors.context_length = 8;
  config.store.options.path = (dir / "store").string();
  config.store.options.history_length = 64;
  config.trainer.options.n_targets_per_row = 4;
  config.trainer.options.n_targets_per_step = 16;
  config.trainer.options.warmup_steps = 1;
  config.trainer.options.model.n_head_hidden = 16;
  config.checkpoints.publish_dir = (dir / "publish").string();
  config.checkpoints.state_dir = (dir / "state").string();
  config.checkpoints.fsync = false;
  config.checkpoints.every_steps = 3;
  config.admin.listen = "127.0.0.1:0";  // tests run side by side
  return config;
}

}  // namespace bahed::daemon::testing
