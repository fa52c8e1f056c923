// A daemon stopped and started again continues its lineage: it restores the
// newest valid version (its training state, or only its weights when the
// state is gone), seeks to that version's offsets, trains only what came
// after them, and its versions descend from the restored one. The broker
// outlives the daemons, as a real cluster does.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>

#include "checkpoints/checkpoint_publisher.h"
#include "checkpoints/version_layout.h"
#include "common/clock.h"
#include "consumers/embedded_broker.h"
#include "daemon/daemon.h"
#include "daemon/training_state_dir.h"
#include "tests/daemon/daemon_test_util.h"
#include "tests/common/temp_dir.h"

namespace bahed::daemon {
namespace {

namespace fs = std::filesystem;

class DaemonRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_tiny_model(dir_.path() / "model");
    consumers::EmbeddedBrokerOptions options;
    config_ = testing::small_daemon_config(dir_.path());
    options.topics = {config_.stream.topic + ":2", config_.stream.dead_letter_topic + ":1"};
    auto broker = consumers::EmbeddedBroker::start(options);
    ASSERT_TRUE(broker.is_ok()) << broker.status().to_string();
    broker_ = std::move(broker).value();
    config_.kafka.bootstrap = broker_->bootstrap_servers();
    ASSERT_TRUE(config_.validate().is_ok()) << config_.validate().to_string();
  }

  // Produces events [from, to) of every user; returns the impressions among them.
  int produce(int from, int to) {
    return testing::produce_events(broker_->bootstrap_servers(), config_.stream.topic, kUsers, from, to);
  }

  // Runs a daemon until it has encoded `n_events`, then stops it (drain,
  // final version); returns the targets it trained itself. `metrics_seen`
  // gets its /metrics text just before the stop.
  uint64_t run_daemon(uint64_t n_events, std::string* metrics_seen = nullptr) {
    SystemClock clock;
    auto daemon = Daemon::start(config_, clock);
    EXPECT_TRUE(daemon.is_ok()) << daemon.status().to_string();
    if (!daemon.is_ok()) return 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while ((*daemon)->encoder_metrics().events.load() < n_events && std::chrono::steady_clock::now() < deadline) {
      EXPECT_FALSE((*daemon)->should_stop());
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a condition with a deadline
    }
    EXPECT_EQ((*daemon)->encoder_metrics().events.load(), n_events);
    if (metrics_seen) *metrics_seen = (*daemon)->admin_response("/metrics").body;
    EXPECT_TRUE((*daemon)->stop().is_ok());
    return (*daemon)->training_metrics().targets_trained.load();
  }

  checkpoints::Manifest latest_manifest() {
    auto latest = checkpoints::latest_verified(config_.checkpoints.publish_dir);
    EXPECT_TRUE(latest.is_ok()) << latest.status().to_string();
    return latest.is_ok() ? latest->manifest : checkpoints::Manifest{};
  }

  static constexpr int kUsers = 5;
  bahed::testing::TempDir dir_;
  std::unique_ptr<consumers::EmbeddedBroker> broker_;
  DaemonConfig config_;
};

TEST_F(DaemonRestartTest, TrainsOnlyNewEventsAndContinuesTheLineageWhenRestarted) {
  const int first = produce(0, 30);
  EXPECT_EQ(run_daemon(5 * 30), static_cast<uint64_t>(first));
  const checkpoints::Manifest before = latest_manifest();
  EXPECT_EQ(before.fields.targets_trained, first);
  ASSERT_TRUE(find_training_state(config_.checkpoints.state_dir, before.version).has_value());

  const int second = produce(30, 50);
  // The second daemon sees only the 5 x 20 events after the version's offsets.
  EXPECT_EQ(run_daemon(5 * 20), static_cast<uint64_t>(second));
  const checkpoints::Manifest after = latest_manifest();
  EXPECT_EQ(after.parent, before.version);
  EXPECT_GT(after.fields.step, before.fields.step);
  EXPECT_EQ(after.fields.targets_trained, first + second);
  EXPECT_EQ(after.fields.audit.n_targets(), first + second);
  int64_t offsets = 0;
  for (const auto& [partition, next] : after.fields.offsets) offsets += next;
  EXPECT_EQ(offsets, 5 * 50);
}

TEST_F(DaemonRestartTest, FallsBackToThePreviousVersionWhenTheNewestIsCorrupt) {
  const int first = produce(0, 20);
  EXPECT_EQ(run_daemon(5 * 20), static_cast<uint64_t>(first));
  const checkpoints::Manifest previous = latest_manifest();
  const int second = produce(20, 30);
  std::string metrics;
  EXPECT_EQ(run_daemon(5 * 10, &metrics), static_cast<uint64_t>(second));
  EXPECT_NE(metrics.find("\nbahed_versions_refused_at_start 0\n"), std::string::npos) << metrics;
  const checkpoints::Manifest newest = latest_manifest();
  ASSERT_EQ(newest.parent, previous.version);
  // Flip the newest version's weights: it no longer verifies.
  const fs::path publish_dir = config_.checkpoints.publish_dir;
  const fs::path weights = publish_dir / checkpoints::version_dir_name(newest.version) / "model.safetensors";
  {
    std::fstream f(weights, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-1, std::ios::end);
    f.put('\x7f');
  }
  // The restart continues from the previous version: it trains the second
  // wave again, from the state that had not seen it, and descends from it.
  EXPECT_EQ(run_daemon(5 * 10, &metrics), static_cast<uint64_t>(second));
  // Refused at start: a gauge an alert can watch, beside the warning in the log.
  EXPECT_NE(metrics.find("\nbahed_versions_refused_at_start 1\n"), std::string::npos) << metrics;
  const checkpoints::Manifest after = latest_manifest();
  EXPECT_EQ(after.parent, previous.version);
  EXPECT_GT(after.version, newest.version);
  EXPECT_EQ(after.fields.targets_trained, first + second);
  EXPECT_EQ(after.fields.audit, newest.fields.audit);
}

TEST_F(DaemonRestartTest, ContinuesFromThePublishedWeightsWhenTheTrainingStateIsGone) {
  const int first = produce(0, 30);
  EXPECT_EQ(run_daemon(5 * 30), static_cast<uint64_t>(first));
  const checkpoints::Manifest before = latest_manifest();
  fs::remove_all(config_.checkpoints.state_dir);
  const int second = produce(30, 40);
  EXPECT_EQ(run_daemon(5 * 10), static_cast<uint64_t>(second));
  const checkpoints::Manifest after = latest_manifest();
  EXPECT_EQ(after.parent, before.version);
  EXPECT_EQ(after.fields.targets_trained, first + second);
}

TEST_F(DaemonRestartTest, StopsWithTheErrorWhenPublishingFailsWhileTheQueuesAreFull) {
  // One-batch queues and a backlog: when the trainer stage dies, the
  // encoder and the consumer are both blocked handing on a batch.
  config_.runtime.events_queue_batches = 1;
  config_.runtime.encoded_queue_batches = 1;
  config_.stream.max_batch_events = 8;
  config_.checkpoints.every_steps = 2;
  produce(0, 400);
  SystemClock clock;
  auto daemon = Daemon::start(config_, clock);
  ASSERT_TRUE(daemon.is_ok()) << daemon.status().to_string();
  // The version the publisher will write next already exists: its rename
  // fails (as when another process wrote into the same folder).
  fs::create_directories(fs::path(config_.checkpoints.publish_dir) / checkpoints::version_dir_name(1));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (!(*daemon)->should_stop() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a condition with a deadline
  }
  ASSERT_TRUE((*daemon)->should_stop());
  EXPECT_GE((*daemon)->training_metrics().publish_failures.load(), 1u);
  // Let the backlog fill both queues behind the dead trainer (the state
  // the hang needs), as /metrics reports them.
  auto queues_full = [&] {
    const std::string metrics = (*daemon)->admin_response("/metrics").body;
    return metrics.find("bahed_queue_depth{queue=\"events\"} 1") != std::string::npos &&
           metrics.find("bahed_queue_depth{queue=\"encoded\"} 1") != std::string::npos;
  };
  while (!queues_full() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(queues_full());
  // stop() returns (it hung here before the queues were closed first),
  // with the stage's error.
  std::promise<Status> stopped;
  std::thread stopper([&] { stopped.set_value((*daemon)->stop()); });
  auto result = stopped.get_future();
  const bool returned = result.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  if (!returned) stopper.detach();  // the test fails below; do not hang the binary
  else stopper.join();
  ASSERT_TRUE(returned) << "Daemon::stop() did not return within 60 s";
  const Status s = result.get();
  EXPECT_EQ(s.code(), StatusCode::kIOError) << s.to_string();
  EXPECT_NE(s.message().find("rename"), std::string::npos) << s.to_string();
}

TEST_F(DaemonRestartTest, RefusesToStartWhenTheVersionCameFromAnotherBaseModel) {
  produce(0, 10);
  run_daemon(5 * 10);
  // Another random model in place of the first.
  fs::remove_all(dir_.path() / "model");
  testing::write_tiny_model(dir_.path() / "model", /*seed=*/99);
  SystemClock clock;
  auto daemon = Daemon::start(config_, clock);
  ASSERT_FALSE(daemon.is_ok());
  EXPECT_NE(daemon.status().message().find("another base model"), std::string::npos) << daemon.status().to_string();
  EXPECT_NE(daemon.status().message().find("encoder.model_dir"), std::string::npos);
}

}  // namespace
}  // namespace bahed::daemon
