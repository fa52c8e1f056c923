// The whole pipeline inside one Daemon: embedded broker -> consumer ->
// encoder (tiny random model, RocksDB store on disk) -> trainer. Every
// labelled event produced is trained exactly once by the time stop()
// returns, and every event lands once in its user's history.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/clock.h"
#include "consumers/kafka_producer.h"
#include "checkpoints/checkpoint_publisher.h"
#include "daemon/daemon.h"
#include "encoder/llm/hf_checkpoint.h"
#include "encoder/tokenizer/byte_tokenizer_json.h"
#include "tests/encoder/llm/temp_dir.h"

namespace bahed::daemon {
namespace {

// A random 3-layer model with the byte-level tokenizer, in the HF layout.
void write_tiny_model(const std::filesystem::path& dir) {
  encoder::ModelConfig c;
  c.hidden_size = 32;
  c.intermediate_size = 64;
  c.n_layers = 3;
  c.n_heads = 4;
  c.n_kv_heads = 2;
  c.n_vocab = encoder::kByteTokenizerVocabSize;
  c.max_position_embeddings = 256;
  c.tie_word_embeddings = true;
  c.bos_token_id = encoder::kByteTokenizerBos;
  c.eos_token_ids = {encoder::kByteTokenizerEos};
  torch::manual_seed(5);
  encoder::LlmOptions o;
  o.n_layers_shallow = 0;
  ASSERT_TRUE(encoder::save_hf_model(encoder::LlamaModel(c, o), dir).is_ok());
  std::ofstream(dir / "tokenizer.json") << encoder::byte_tokenizer_json();
  std::ofstream(dir / "tokenizer_config.json") << encoder::byte_tokenizer_config_json();
}

std::string event_json(int user, int i) {
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

TEST(DaemonPipeline, TrainsEveryLabelledEventOnceAndKeepsEveryBehaviorInTheHistory) {
  encoder::llm_test::TempDir dir;
  write_tiny_model(dir.path() / "model");
  DaemonConfig config;
  config.kafka.embedded_partitions = 2;
  config.stream.properties["session.timeout.ms"] = "6000";
  config.stream.properties["heartbeat.interval.ms"] = "500";
  config.stream.max_batch_wait_ms = 20;
  config.encoder.llm.model_dir = (dir.path() / "model").string();
  config.encoder.llm.n_layers_shallow = 1;
  config.encoder.behaviors.context_length = 8;
  config.store.options.path = (dir.path() / "store").string();
  config.store.options.history_length = 64;
  config.trainer.options.n_targets_per_row = 4;
  config.trainer.options.n_targets_per_step = 16;
  config.trainer.options.warmup_steps = 1;
  config.trainer.options.model.n_head_hidden = 16;
  config.checkpoints.publish_dir = (dir.path() / "publish").string();
  config.checkpoints.fsync = false;
  config.checkpoints.every_steps = 3;
  ASSERT_TRUE(config.validate().is_ok()) << config.validate().to_string();

  SystemClock clock;
  auto daemon = Daemon::start(config, clock);
  ASSERT_TRUE(daemon.is_ok()) << daemon.status().to_string();
  auto producer = consumers::KafkaProducer::create((*daemon)->bootstrap_servers(), {});
  ASSERT_TRUE(producer.is_ok());
  constexpr int kUsers = 5, kPerUser = 40;
  int impressions = 0;
  for (int i = 0; i < kPerUser; ++i) {
    for (int u = 0; u < kUsers; ++u) {
      ASSERT_TRUE((*producer)->produce(config.stream.topic, "u" + std::to_string(u), event_json(u, i)).is_ok());
      impressions += i % 3 != 0;
    }
  }
  ASSERT_TRUE((*producer)->flush(10000).is_ok());

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while ((*daemon)->encoder_metrics().events.load() < kUsers * kPerUser &&
         std::chrono::steady_clock::now() < deadline) {
    ASSERT_FALSE((*daemon)->should_stop());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a condition with a deadline
  }
  ASSERT_EQ((*daemon)->encoder_metrics().events.load(), static_cast<uint64_t>(kUsers * kPerUser));
  ASSERT_TRUE((*daemon)->stop().is_ok());

  const auto& training = (*daemon)->training_metrics();
  EXPECT_EQ(training.targets_trained.load(), static_cast<uint64_t>(impressions));
  EXPECT_GT(training.steps.load(), 0u);
  EXPECT_EQ((*daemon)->encoder_metrics().targets.load(), static_cast<uint64_t>(impressions));
  // Distinct texts: 11 searches, 13 items, 13 x 2 history templates at most.
  EXPECT_LE((*daemon)->encoder_metrics().lookup_misses.load(), 11u + 13u + 26u);

  // The final version covers everything: every partition's offset is past
  // its last event, and it verifies.
  auto latest = checkpoints::latest_verified(config.checkpoints.publish_dir);
  ASSERT_TRUE(latest.is_ok()) << latest.status().to_string();
  auto manifest = checkpoints::read_manifest(latest->dir);
  ASSERT_TRUE(manifest.is_ok()) << manifest.status().to_string();
  EXPECT_EQ(manifest->fields.targets_trained, impressions);
  int64_t offsets = 0;
  for (const auto& [partition, next] : manifest->fields.offsets) offsets += next;
  EXPECT_EQ(offsets, kUsers * kPerUser);
  EXPECT_GT(manifest->version, 1);  // also published on the way (every 3 steps)

  auto store = encoder::BehaviorStore::open_read_only(
      config.store_options(),
      {(*daemon)->encoder_spec().version, (*daemon)->encoder_spec().dimension}, clock);
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  for (int u = 0; u < kUsers; ++u) {
    auto history = (*store)->read_history("u" + std::to_string(u), 1000);
    ASSERT_TRUE(history.is_ok());
    EXPECT_EQ(history->size(), static_cast<size_t>(kPerUser)) << "user " << u;
  }
}

}  // namespace
}  // namespace bahed::daemon
