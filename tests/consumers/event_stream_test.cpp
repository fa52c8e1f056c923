#include "consumers/event_stream.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "consumers/embedded_broker.h"
#include "consumers/kafka_producer.h"
#include "tests/consumers/dead_letter_reader.h"

namespace bahed::consumers {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

std::string behavior_json(const std::string& user, int64_t ts) {
  return R"({"v":1,"type":"behavior","user":")" + user + R"(","ts":)" + std::to_string(ts) +
         R"(,"feature":"search","text":"searched: item )" + std::to_string(ts % 1000) + "\"}";
}

using testing::read_dead_letters;

class EventStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmbeddedBrokerOptions options;
    options.topics = {"events:2", "events.dlq:1", "wide:16"};
    auto broker = EmbeddedBroker::start(options);
    ASSERT_TRUE(broker.is_ok()) << broker.status().to_string();
    broker_ = std::move(*broker);
    auto producer = KafkaProducer::create(broker_->bootstrap_servers(), {});
    ASSERT_TRUE(producer.is_ok()) << producer.status().to_string();
    producer_ = std::move(*producer);
  }

  EventStreamOptions stream_options(const std::string& group = "test") {
    EventStreamOptions o;
    o.bootstrap_servers = broker_->bootstrap_servers();
    o.topic = "events";
    o.dead_letter_topic = "events.dlq";
    o.group_id = group;
    o.max_batch_events = 16;
    o.max_batch_wait_ms = 10;
    // The mock coordinator waits out a departed member's session before a
    // new member joins; keep that short.
    o.properties["session.timeout.ms"] = "6000";
    o.properties["heartbeat.interval.ms"] = "500";
    return o;
  }

  void produce(const std::string& key, const std::string& payload) {
    ASSERT_TRUE(producer_->produce("events", key, payload).is_ok());
  }
  void flush() { ASSERT_TRUE(producer_->flush(10000).is_ok()); }

  // Pops batches until `n` events arrived or the deadline passes.
  std::vector<Event> receive(BoundedQueue<EventBatch>& q, size_t n, std::vector<PartitionWatermark>* marks = nullptr,
                             std::chrono::seconds within = std::chrono::seconds(60)) {
    std::vector<Event> got;
    const auto deadline = steady_clock::now() + within;
    while (got.size() < n && steady_clock::now() < deadline) {
      if (auto batch = q.pop_for(milliseconds(100))) {
        for (auto& e : batch->events) got.push_back(std::move(e));
        if (marks)
          for (const auto& w : batch->consumed_through) marks->push_back(w);
      }
    }
    return got;
  }

  // Waits until the partitions' high watermarks, as the stream last read
  // them, add up to `expected` (or 30 s pass); returns the last sum.
  static int64_t wait_for_partition_ends(const EventStream& stream, int64_t expected) {
    const auto deadline = steady_clock::now() + std::chrono::seconds(30);
    int64_t ends = 0;
    while (steady_clock::now() < deadline) {
      ends = 0;
      for (const auto& [p, progress] : stream.metrics().partitions_snapshot()) ends += std::max<int64_t>(0, progress.high_watermark);
      if (ends == expected) break;
      std::this_thread::sleep_for(milliseconds(50));  // polling a condition with a deadline
    }
    return ends;
  }

  SystemClock clock_;
  std::unique_ptr<EmbeddedBroker> broker_;
  std::unique_ptr<KafkaProducer> producer_;
};

TEST_F(EventStreamTest, DeliversValidEventsAndDeadLettersGarbageWithReason) {
  constexpr int kValid = 200;
  for (int i = 0; i < kValid; ++i) produce("u" + std::to_string(i % 7), behavior_json("u" + std::to_string(i % 7), 1700000000000 + i));
  produce("u1", "{this is not json");
  produce("", behavior_json("u1", 1700000000000));  // no key
  produce("u2", R"({"v":1,"type":"impression","user":"u2","ts":1700000000000,"item":{"id":"m","text":"t"},"label":7})");
  flush();

  BoundedQueue<EventBatch> q("events", 8);
  auto stream = EventStream::create(stream_options(), &q, clock_, make_null_logger("consumer"));
  ASSERT_TRUE(stream.is_ok()) << stream.status().to_string();
  ASSERT_TRUE((*stream)->start().is_ok());
  const std::vector<Event> got = receive(q, kValid);
  ASSERT_EQ(got.size(), static_cast<size_t>(kValid));

  // Per user, events arrive in the order they were produced.
  std::map<std::string, int64_t> last_ts;
  for (const auto& e : got) {
    EXPECT_GT(e.ts_ms, last_ts[e.user]) << e.user;
    last_ts[e.user] = e.ts_ms;
    EXPECT_GE(e.source.offset, 0);
  }
  const auto letters = read_dead_letters(broker_->bootstrap_servers(), "events.dlq", 3);
  ASSERT_EQ(letters.size(), 3u);
  std::multiset<std::string> reasons;
  for (const auto& l : letters) {
    reasons.insert(l.header("bahed.reason"));
    EXPECT_FALSE(l.header("bahed.detail").empty());
    EXPECT_FALSE(l.header("bahed.source.offset").empty());
  }
  EXPECT_EQ(reasons, (std::multiset<std::string>{"malformed_json", "empty_key", "bad_label"}));
  EXPECT_EQ((*stream)->metrics().total_rejected(), 3u);
  EXPECT_EQ((*stream)->metrics().behaviors_accepted.load(), static_cast<uint64_t>(kValid));
  EXPECT_TRUE((*stream)->stop().is_ok());
}

TEST_F(EventStreamTest, PausesWhenQueueIsFullAndLosesNothing) {
  constexpr int kEvents = 600;
  for (int i = 0; i < kEvents; ++i) produce("u" + std::to_string(i % 5), behavior_json("u" + std::to_string(i % 5), 1700000000000 + i));
  flush();
  BoundedQueue<EventBatch> q("events", 1);  // one batch of 16 fills it
  auto stream = EventStream::create(stream_options(), &q, clock_, make_null_logger("consumer"));
  ASSERT_TRUE(stream.is_ok());
  ASSERT_TRUE((*stream)->start().is_ok());
  // Let back-pressure build: do not pop until the consumer has paused.
  const auto deadline = steady_clock::now() + std::chrono::seconds(60);
  while ((*stream)->metrics().pauses.load() == 0 && steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_GT((*stream)->metrics().pauses.load(), 0u);
  // The lag is measured while paused (paused partitions are not fetched, so
  // only asking the broker shows their ends): the whole log's end, and a
  // backlog behind the full queue.
  EXPECT_EQ(wait_for_partition_ends(**stream, kEvents), kEvents);
  EXPECT_GT((*stream)->metrics().total_lag(), 0);
  const std::vector<Event> got = receive(q, kEvents);
  ASSERT_EQ(got.size(), static_cast<size_t>(kEvents));
  std::set<std::pair<int32_t, int64_t>> positions;
  for (const auto& e : got) positions.insert({e.source.partition, e.source.offset});
  EXPECT_EQ(positions.size(), static_cast<size_t>(kEvents));  // no duplicates
  EXPECT_TRUE((*stream)->stop().is_ok());
}

TEST_F(EventStreamTest, NewMemberResumesFromCommittedOffsets) {
  for (int i = 0; i < 50; ++i) produce("u1", behavior_json("u1", 1700000000000 + i));
  flush();
  {
    BoundedQueue<EventBatch> q("events", 8);
    auto stream = EventStream::create(stream_options("resume"), &q, clock_, make_null_logger("consumer"));
    ASSERT_TRUE(stream.is_ok());
    ASSERT_TRUE((*stream)->start().is_ok());
    std::vector<PartitionWatermark> marks;
    ASSERT_EQ(receive(q, 50, &marks).size(), 50u);
    std::map<int32_t, int64_t> latest;
    for (const auto& w : marks) latest[w.partition] = std::max(latest[w.partition], w.next_offset);
    std::vector<PartitionWatermark> commit;
    for (const auto& [p, next] : latest) commit.push_back({p, next});
    ASSERT_TRUE((*stream)->commit(commit).is_ok());
    ASSERT_TRUE((*stream)->stop().is_ok());
  }
  for (int i = 50; i < 60; ++i) produce("u1", behavior_json("u1", 1700000000000 + i));
  flush();
  BoundedQueue<EventBatch> q("events", 8);
  auto stream = EventStream::create(stream_options("resume"), &q, clock_, make_null_logger("consumer"));
  ASSERT_TRUE(stream.is_ok());
  ASSERT_TRUE((*stream)->start().is_ok());
  const std::vector<Event> got = receive(q, 10);
  ASSERT_EQ(got.size(), 10u);
  EXPECT_EQ(got.front().ts_ms, 1700000000050);
  EXPECT_EQ(q.pop_for(milliseconds(500)), std::nullopt);  // nothing older came back
  EXPECT_TRUE((*stream)->stop().is_ok());
}

// Regression: the lag's end-offset queries ran on the consumer thread, one
// partition at a time. On a caught-up topic each waited behind the broker's
// long-polling Fetch (~500 ms), so 16 partitions stopped consumption for ~8 s
// per refresh and a quiet topic was read at one event per refresh.
TEST_F(EventStreamTest, KeepsReadingAQuietTopicWhileTheLagIsRefreshed) {
  constexpr int kFirst = 32, kLater = 96;
  auto produce_wide = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      const std::string user = "u" + std::to_string(i % 48);
      ASSERT_TRUE(producer_->produce("wide", user, behavior_json(user, 1700000000000 + i)).is_ok());
    }
    flush();
  };
  produce_wide(0, kFirst);
  EventStreamOptions options = stream_options("quiet");
  options.topic = "wide";
  options.lag_refresh_ms = 100;  // refreshing all the time: the consumer must not wait for it
  BoundedQueue<EventBatch> q("events", 8);
  auto stream = EventStream::create(options, &q, clock_, make_null_logger("consumer"));
  ASSERT_TRUE(stream.is_ok()) << stream.status().to_string();
  ASSERT_TRUE((*stream)->start().is_ok());
  ASSERT_EQ(receive(q, kFirst).size(), static_cast<size_t>(kFirst));
  // Caught up: every Fetch now long-polls. What arrives next is read at once
  // (seconds here; the old code needed ~8 s per event, over 12 minutes).
  produce_wide(kFirst, kLater);
  EXPECT_EQ(receive(q, kLater - kFirst, nullptr, std::chrono::seconds(30)).size(), static_cast<size_t>(kLater - kFirst));
  // And the lag is still measured: every partition's end, summed, is what was produced.
  EXPECT_EQ(wait_for_partition_ends(**stream, kLater), kLater);
  EXPECT_EQ((*stream)->metrics().partitions_snapshot().size(), 16u);
  EXPECT_EQ((*stream)->metrics().total_lag(), 0);
  EXPECT_TRUE((*stream)->stop().is_ok());
}

TEST_F(EventStreamTest, ForgetsTheLagOfPartitionsMovedToAnotherMember) {
  for (int i = 0; i < 20; ++i) produce("u" + std::to_string(i % 10), behavior_json("u" + std::to_string(i % 10), 1700000000000 + i));
  flush();
  BoundedQueue<EventBatch> qa("a", 8), qb("b", 8);
  auto a = EventStream::create(stream_options("split"), &qa, clock_, make_null_logger("a"));
  ASSERT_TRUE(a.is_ok());
  ASSERT_TRUE((*a)->start().is_ok());
  ASSERT_EQ(receive(qa, 20).size(), 20u);
  ASSERT_EQ(wait_for_partition_ends(**a, 20), 20);
  ASSERT_EQ((*a)->metrics().partitions_snapshot().size(), 2u);

  auto b = EventStream::create(stream_options("split"), &qb, clock_, make_null_logger("b"));
  ASSERT_TRUE(b.is_ok());
  ASSERT_TRUE((*b)->start().is_ok());
  const auto deadline = steady_clock::now() + std::chrono::seconds(60);
  while (((*a)->metrics().partitions_assigned.load() != 1 || (*b)->metrics().partitions_assigned.load() != 1) &&
         steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));  // polling a condition with a deadline
  }
  ASSERT_EQ((*a)->metrics().partitions_assigned.load(), 1);
  ASSERT_EQ((*b)->metrics().partitions_assigned.load(), 1);
  // Each reports the lag of the one partition it holds, not a frozen reading of the other.
  EXPECT_LE((*a)->metrics().partitions_snapshot().size(), 1u);
  EXPECT_EQ((*a)->metrics().total_lag(), 0);
  EXPECT_TRUE((*b)->stop().is_ok());
  EXPECT_TRUE((*a)->stop().is_ok());
}

TEST(EventStreamOptions, ValidateNamesTheKey) {
  EventStreamOptions o;
  o.bootstrap_servers = "127.0.0.1:9092";
  o.dead_letter_topic = o.topic;
  const Status s = o.validate();
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("kafka.dead_letter_topic"), std::string::npos);
}

}  // namespace
}  // namespace bahed::consumers
