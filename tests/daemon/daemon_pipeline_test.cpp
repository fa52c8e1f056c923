// The whole pipeline inside one Daemon: embedded broker -> consumer ->
// encoder (tiny random model, RocksDB store on disk) -> trainer. Every
// labelled event produced is trained exactly once by the time stop()
// returns, and every event lands once in its user's history.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <thread>

#include "common/clock.h"
#include "checkpoints/checkpoint_publisher.h"
#include "daemon/daemon.h"
#include "tests/daemon/daemon_test_util.h"
#include "tests/daemon/http_get.h"
#include "tests/common/temp_dir.h"

namespace bahed::daemon {
namespace {

TEST(DaemonPipeline, TrainsEveryLabelledEventOnceAndKeepsEveryBehaviorInTheHistory) {
  bahed::testing::TempDir dir;
  testing::write_tiny_model(dir.path() / "model");
  DaemonConfig config = testing::small_daemon_config(dir.path());
  config.runtime.heap_trim_interval_s = 1;
  ASSERT_TRUE(config.validate().is_ok()) << config.validate().to_string();

  SystemClock clock;
  auto daemon = Daemon::start(config, clock);
  ASSERT_TRUE(daemon.is_ok()) << daemon.status().to_string();
  constexpr int kUsers = 5, kPerUser = 40;
  int impressions = 0;
  // Two waves, each waited for: a version is published during the run
  // (every 3 steps), not only at the end.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  for (const auto [from, to] : {std::pair{0, kPerUser / 2}, std::pair{kPerUser / 2, kPerUser}}) {
    impressions += testing::produce_events((*daemon)->bootstrap_servers(), config.stream.topic, kUsers, from, to);
    ASSERT_FALSE(HasFailure());
    while ((*daemon)->training_metrics().targets_trained.load() < static_cast<uint64_t>(impressions) &&
           std::chrono::steady_clock::now() < deadline) {
      ASSERT_FALSE((*daemon)->should_stop());
      (*daemon)->tick();  // as bahed's main loop does
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a condition with a deadline
    }
  }
  // The main loop's housekeeping also returns freed heap once a second here.
  const auto trimmed_by = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < trimmed_by) {
    (*daemon)->tick();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ((*daemon)->encoder_metrics().events.load(), static_cast<uint64_t>(kUsers * kPerUser));

  // The admin endpoints see the running pipeline.
  const uint16_t port = (*daemon)->admin_port();
  ASSERT_GT(port, 0);
  EXPECT_EQ(testing::http_request(port, "/readyz").status, 200);
  EXPECT_EQ(testing::http_request(port, "/healthz").body, "ok\n");
  const auto metrics = testing::http_request(port, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("# TYPE bahed_targets_trained_total counter"), std::string::npos);
  EXPECT_NE(metrics.body.find("bahed_events_total{outcome=\"impression\"} " + std::to_string(impressions)),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("bahed_freshness_seconds"), std::string::npos);
  std::smatch trims;
  ASSERT_TRUE(std::regex_search(metrics.body, trims, std::regex("\nbahed_heap_trims_total ([0-9]+)\n"))) << metrics.body;
  EXPECT_GE(std::stoi(trims[1]), 2);
  // Every metric the shipped dashboard and alert rules query is exposed.
  for (const char* file : {"ops/grafana-dashboard.json", "ops/prometheus.yml"}) {
    std::ifstream in(std::string(BAHED_SOURCE_DIR) + "/" + file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(text.empty()) << file;
    const std::regex name("bahed_[a-z_]+");
    int n_names = 0;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), name); it != std::sregex_iterator(); ++it) {
      n_names += 1;
      EXPECT_NE(metrics.body.find("# TYPE " + it->str() + " "), std::string::npos) << file << " queries " << it->str();
    }
    EXPECT_GT(n_names, 3) << file;
  }
  const auto status = testing::http_request(port, "/status");
  EXPECT_EQ(status.content_type, "application/json");
  EXPECT_NE(status.body.find("\"ready\":true"), std::string::npos) << status.body;

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
  EXPECT_EQ(manifest->fields.audit.n_targets(), impressions);
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
