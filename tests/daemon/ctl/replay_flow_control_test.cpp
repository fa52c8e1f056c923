// `bahectl replay --max-lag`: the replay pauses while the group's committed
// offsets are too far behind, and resumes as the group commits; GroupLag
// reads that lag as kafka-consumer-groups would. Against the embedded broker.
#include <gtest/gtest.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "consumers/embedded_broker.h"
#include "daemon/ctl/ctl_command.h"
#include "daemon/ctl/group_lag.h"
#include "tests/store/store_test_util.h"

namespace bahed::ctl {
namespace {

using encoder::testing::TempDir;

constexpr char kTopic[] = "events";
constexpr char kGroup[] = "replay-test";
constexpr int kPartitions = 2;

class ReplayFlowControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    consumers::EmbeddedBrokerOptions options;
    options.topics = {std::string(kTopic) + ":" + std::to_string(kPartitions)};
    auto broker = consumers::EmbeddedBroker::start(options);
    ASSERT_TRUE(broker.is_ok()) << broker.status().to_string();
    broker_ = std::move(*broker);
  }

  // A consumer of kGroup that commits offsets it is told, as bahed does
  // after each version (assign(), so it joins no group).
  std::unique_ptr<RdKafka::KafkaConsumer> committer() {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    std::string err;
    conf->set("bootstrap.servers", broker_->bootstrap_servers(), err);
    conf->set("group.id", kGroup, err);
    conf->set("enable.auto.commit", "false", err);
    return std::unique_ptr<RdKafka::KafkaConsumer>(RdKafka::KafkaConsumer::create(conf.get(), err));
  }

  // Commits every partition's high watermark: the group caught up.
  void commit_end(RdKafka::KafkaConsumer& consumer, int64_t* total_end) {
    std::vector<RdKafka::TopicPartition*> offsets;
    *total_end = 0;
    for (int p = 0; p < kPartitions; ++p) {
      int64_t low = 0, high = 0;
      ASSERT_EQ(consumer.query_watermark_offsets(kTopic, p, &low, &high, 5000), RdKafka::ERR_NO_ERROR);
      *total_end += high;
      offsets.push_back(RdKafka::TopicPartition::create(kTopic, p, high));
    }
    const RdKafka::ErrorCode code = consumer.commitSync(offsets);
    RdKafka::TopicPartition::destroy(offsets);
    ASSERT_EQ(code, RdKafka::ERR_NO_ERROR);
  }

  std::string write_log(int n_events) {
    const std::string path = dir_.path("events.jsonl");
    std::ofstream out(path);
    for (int i = 0; i < n_events; ++i)
      out << R"({"v":1,"type":"behavior","user":"u)" << i % 37 << R"(","ts":)" << 1700000000000 + i
          << R"(,"feature":"search","text":"searched: item )" << i << "\"}\n";
    return path;
  }

  std::unique_ptr<consumers::EmbeddedBroker> broker_;
  TempDir dir_;
};

int run_command(int (*command)(int, char**), std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return command(static_cast<int>(args.size()), argv.data());
}

TEST_F(ReplayFlowControlTest, PausesWhileTheGroupIsBehindAndFinishesAsItCommits) {
  constexpr int kEvents = 600;
  constexpr int kMaxLag = 40;
  const std::string log = write_log(kEvents);
  auto replay = std::async(std::launch::async, [&] {
    return run_command(run_replay, {"bahectl replay", "--events", log, "--bootstrap", broker_->bootstrap_servers(),
                                    "--topic", kTopic, "--max-lag", std::to_string(kMaxLag), "--group", kGroup});
  });

  // Nobody commits: the replay stops near the bound (a partition may pass it
  // by a quarter of it, produced between two readings).
  auto lag = GroupLag::create(broker_->bootstrap_servers(), {}, kTopic, kGroup, 5000);
  ASSERT_TRUE(lag.is_ok()) << lag.status().to_string();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  ASSERT_EQ(replay.wait_for(std::chrono::seconds(0)), std::future_status::timeout) << "the replay did not pause";
  auto stalled = (*lag)->read();
  ASSERT_TRUE(stalled.is_ok()) << stalled.status().to_string();
  EXPECT_GT(stalled->total, 0);
  EXPECT_LE(stalled->max_partition, kMaxLag + kMaxLag / 4);
  EXPECT_LT(stalled->total, kEvents);

  // The group commits what exists, again and again: the replay finishes.
  auto consumer = committer();
  ASSERT_TRUE(consumer);
  int64_t total_end = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (replay.wait_for(std::chrono::milliseconds(100)) == std::future_status::timeout) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the replay did not resume as the group committed";
    commit_end(*consumer, &total_end);
    auto reading = (*lag)->read();
    ASSERT_TRUE(reading.is_ok()) << reading.status().to_string();
    EXPECT_LE(reading->max_partition, kMaxLag + kMaxLag / 4);
  }
  EXPECT_EQ(replay.get(), 0);
  commit_end(*consumer, &total_end);
  EXPECT_EQ(total_end, kEvents) << "every event produced once";
  auto caught_up = (*lag)->read();
  ASSERT_TRUE(caught_up.is_ok());
  EXPECT_EQ(caught_up->total, 0);
  EXPECT_EQ(caught_up->lag.size(), static_cast<size_t>(kPartitions));
}

TEST_F(ReplayFlowControlTest, LagIsTheEndMinusTheCommittedOffsetPerPartition) {
  const std::string log = write_log(100);
  ASSERT_EQ(run_command(run_replay, {"bahectl replay", "--events", log, "--bootstrap", broker_->bootstrap_servers(),
                                     "--topic", kTopic}),
            0);
  auto consumer = committer();
  ASSERT_TRUE(consumer);
  int64_t high[kPartitions] = {};
  for (int p = 0; p < kPartitions; ++p) {
    int64_t low = 0;
    ASSERT_EQ(consumer->query_watermark_offsets(kTopic, p, &low, &high[p], 5000), RdKafka::ERR_NO_ERROR);
  }
  ASSERT_GT(high[0], 3) << "the keys should spread over both partitions";
  ASSERT_GT(high[1], 0);
  auto lag = GroupLag::create(broker_->bootstrap_servers(), {}, kTopic, kGroup, 5000);
  ASSERT_TRUE(lag.is_ok()) << lag.status().to_string();
  auto before = (*lag)->read();
  ASSERT_TRUE(before.is_ok()) << before.status().to_string();
  EXPECT_EQ(before->total, 100) << "nothing committed: from the low watermark";

  // Partition 0 committed at 3, partition 1 never.
  std::vector<RdKafka::TopicPartition*> offsets{RdKafka::TopicPartition::create(kTopic, 0, 3)};
  ASSERT_EQ(consumer->commitSync(offsets), RdKafka::ERR_NO_ERROR);
  RdKafka::TopicPartition::destroy(offsets);
  auto after = (*lag)->read();
  ASSERT_TRUE(after.is_ok()) << after.status().to_string();
  EXPECT_EQ(after->lag.at(0), high[0] - 3);
  EXPECT_EQ(after->lag.at(1), high[1]);
  EXPECT_EQ(after->total, 100 - 3);
  EXPECT_EQ(after->max_partition, std::max(high[0] - 3, high[1]));
}

}  // namespace
}  // namespace bahed::ctl
