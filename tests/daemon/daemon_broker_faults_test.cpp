// Broker faults, injected through librdkafka's mock cluster controls
// (rdkafka_mock.h) while a daemon consumes: request errors, every broker
// down and up again, partition leaders moving, slow responses. The daemon
// keeps going or waits, and at the end its newest version has trained every
// impression exactly once (targets, audit, offsets), with no event dead-
// lettered or skipped. Each test prints how long the daemon took to recover.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>  // after rdkafka.h, as it requires

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <thread>

#include "checkpoints/checkpoint_publisher.h"
#include "common/clock.h"
#include "consumers/embedded_broker.h"
#include "daemon/daemon.h"
#include "tests/daemon/daemon_test_util.h"
#include "tests/common/temp_dir.h"

namespace bahed::daemon {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kUsers = 5;
constexpr int kBrokers = 3;
constexpr int kPartitions = 4;
constexpr int16_t kFetch = 1;         // Kafka API keys (rdkafka_proto.h)
constexpr int16_t kOffsetCommit = 8;
constexpr int16_t kHeartbeat = 12;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

class DaemonBrokerFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_tiny_model(dir_.path() / "model");
    config_ = testing::small_daemon_config(dir_.path());
    // Retries come quickly, as a test's patience is short.
    config_.stream.properties["reconnect.backoff.ms"] = "50";
    config_.stream.properties["reconnect.backoff.max.ms"] = "500";
    consumers::EmbeddedBrokerOptions options;
    options.n_brokers = kBrokers;
    options.topics = {config_.stream.topic + ":" + std::to_string(kPartitions), config_.stream.dead_letter_topic + ":1"};
    auto broker = consumers::EmbeddedBroker::start(options);
    ASSERT_TRUE(broker.is_ok()) << broker.status().to_string();
    broker_ = std::move(broker).value();
    config_.kafka.bootstrap = broker_->bootstrap_servers();
    ASSERT_TRUE(config_.validate().is_ok()) << config_.validate().to_string();
  }

  rd_kafka_mock_cluster_t* cluster() { return broker_->mock_cluster(); }

  // Produces events [from, to) of every user; returns the impressions. A
  // longer flush than elsewhere: the brokers may be slow or down.
  int produce(int from, int to) {
    return testing::produce_events(broker_->bootstrap_servers(), config_.stream.topic, kUsers, from, to, 20000);
  }

  void start_daemon() {
    auto daemon = Daemon::start(config_, clock_);
    ASSERT_TRUE(daemon.is_ok()) << daemon.status().to_string();
    daemon_ = std::move(daemon).value();
  }

  // Waits (up to 120 s) until the daemon has taken in `n_events`; returns
  // whether it did. The daemon must not stop meanwhile.
  bool wait_for_events(uint64_t n_events) {
    const auto deadline = Clock::now() + std::chrono::seconds(120);
    while (daemon_->encoder_metrics().events.load() < n_events && Clock::now() < deadline) {
      if (daemon_->should_stop()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a condition with a deadline
    }
    return daemon_->encoder_metrics().events.load() >= n_events;
  }

  // Stops the daemon (drain, final version) and checks the newest version
  // trained each of the `impressions` exactly once and skipped nothing.
  void stop_and_expect_exactly_once(int impressions, int n_events) {
    ASSERT_TRUE(daemon_->stop().is_ok());
    EXPECT_EQ(daemon_->encoder_metrics().events.load(), static_cast<uint64_t>(n_events));
    EXPECT_EQ(daemon_->consumer_metrics().offsets_skipped.load(), 0u);
    EXPECT_EQ(daemon_->consumer_metrics().dead_letter_produced.load(), 0u);
    auto latest = checkpoints::latest_verified(config_.checkpoints.publish_dir);
    ASSERT_TRUE(latest.is_ok()) << latest.status().to_string();
    EXPECT_EQ(latest->manifest.fields.targets_trained, impressions);
    EXPECT_EQ(latest->manifest.fields.audit.n_targets(), impressions);
    int64_t offsets = 0;
    for (const auto& [partition, next] : latest->manifest.fields.offsets) offsets += next;
    EXPECT_EQ(offsets, n_events);
  }

  bahed::testing::TempDir dir_;
  std::unique_ptr<consumers::EmbeddedBroker> broker_;
  DaemonConfig config_;
  SystemClock clock_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(DaemonBrokerFaultsTest, KeepsGoingThroughFetchAndCommitErrorsAndLosesNothing) {
  int impressions = produce(0, 20);
  start_daemon();
  ASSERT_TRUE(wait_for_events(kUsers * 20));
  // Transient errors on the next fetches and offset commits of every
  // broker: the consumer retries, and an offset commit that fails is
  // made good by the next version's commit.
  const rd_kafka_resp_err_t fetch_errors[] = {
      RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
      RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,    RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
      RD_KAFKA_RESP_ERR__TRANSPORT,               RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT};
  const rd_kafka_resp_err_t commit_errors[] = {RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
                                               RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                                               RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS};
  rd_kafka_mock_push_request_errors_array(cluster(), kFetch, std::size(fetch_errors), fetch_errors);
  rd_kafka_mock_push_request_errors_array(cluster(), kOffsetCommit, std::size(commit_errors), commit_errors);
  const auto injected = Clock::now();
  impressions += produce(20, 40);
  ASSERT_TRUE(wait_for_events(kUsers * 40));
  std::printf("[ figures ] fetch + commit errors: all events taken in %.2f s after the injection\n",
              seconds_since(injected));
  stop_and_expect_exactly_once(impressions, kUsers * 40);
}

TEST_F(DaemonBrokerFaultsTest, WaitsWhileEveryBrokerIsDownAndResumesWhenTheyReturn) {
  int impressions = produce(0, 20);
  start_daemon();
  ASSERT_TRUE(wait_for_events(kUsers * 20));
  impressions += produce(20, 40);
  for (int32_t b = 1; b <= kBrokers; ++b) ASSERT_EQ(rd_kafka_mock_broker_set_down(cluster(), b), RD_KAFKA_RESP_ERR_NO_ERROR);
  // Down for longer than a few steps and a version: the daemon waits, it
  // neither stops nor skips offsets.
  std::this_thread::sleep_for(std::chrono::seconds(4));  // the outage itself is the test's input
  EXPECT_FALSE(daemon_->should_stop());
  const uint64_t during_outage = daemon_->encoder_metrics().events.load();
  for (int32_t b = 1; b <= kBrokers; ++b) ASSERT_EQ(rd_kafka_mock_broker_set_up(cluster(), b), RD_KAFKA_RESP_ERR_NO_ERROR);
  const auto restored = Clock::now();
  ASSERT_TRUE(wait_for_events(kUsers * 40));
  std::printf("[ figures ] all brokers down 4 s (%llu of %d events in by then): the rest taken %.2f s after they came back\n",
              static_cast<unsigned long long>(during_outage), kUsers * 40, seconds_since(restored));
  stop_and_expect_exactly_once(impressions, kUsers * 40);
}

TEST_F(DaemonBrokerFaultsTest, FollowsLeadersThatMoveBetweenBrokers) {
  int impressions = produce(0, 20);
  start_daemon();
  ASSERT_TRUE(wait_for_events(kUsers * 20));
  // Every partition's leader moves to the next broker, twice, with events
  // produced in between.
  for (int round = 1; round <= 2; ++round) {
    for (int32_t p = 0; p < kPartitions; ++p) {
      const int32_t leader = 1 + (p + round) % kBrokers;
      ASSERT_EQ(rd_kafka_mock_partition_set_leader(cluster(), config_.stream.topic.c_str(), p, leader),
                RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    const auto moved = Clock::now();
    const int to = 20 + 15 * round;
    impressions += produce(to - 15, to);
    ASSERT_TRUE(wait_for_events(static_cast<uint64_t>(kUsers) * to));
    std::printf("[ figures ] leaders moved (round %d): new events taken %.2f s after the move\n", round,
                seconds_since(moved));
  }
  stop_and_expect_exactly_once(impressions, kUsers * 50);
}

TEST_F(DaemonBrokerFaultsTest, KeepsGoingWhenTheBrokersAnswerSlowly) {
  int impressions = produce(0, 10);
  start_daemon();
  ASSERT_TRUE(wait_for_events(kUsers * 10));
  // 300 ms round trips on every broker and errors on the group's
  // heartbeats: slower, but nothing stops or is lost.
  for (int32_t b = 1; b <= kBrokers; ++b) ASSERT_EQ(rd_kafka_mock_broker_set_rtt(cluster(), b, 300), RD_KAFKA_RESP_ERR_NO_ERROR);
  const rd_kafka_resp_err_t heartbeat_errors[] = {RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
                                                  RD_KAFKA_RESP_ERR_NOT_COORDINATOR};
  rd_kafka_mock_push_request_errors_array(cluster(), kHeartbeat, std::size(heartbeat_errors), heartbeat_errors);
  const auto slowed = Clock::now();
  impressions += produce(10, 30);
  ASSERT_TRUE(wait_for_events(kUsers * 30));
  std::printf("[ figures ] 300 ms round trips: %d new events taken in %.2f s\n", kUsers * 20, seconds_since(slowed));
  for (int32_t b = 1; b <= kBrokers; ++b) ASSERT_EQ(rd_kafka_mock_broker_set_rtt(cluster(), b, 0), RD_KAFKA_RESP_ERR_NO_ERROR);
  stop_and_expect_exactly_once(impressions, kUsers * 30);
}

}  // namespace
}  // namespace bahed::daemon
