#include "consumers/dead_letter_sink.h"

#include <gtest/gtest.h>

#include <string>

#include "consumers/embedded_broker.h"
#include "tests/consumers/dead_letter_reader.h"

namespace bahed::consumers {
namespace {

class DeadLetterSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmbeddedBrokerOptions options;
    options.topics = {"events.dlq:1"};
    auto broker = EmbeddedBroker::start(options);
    ASSERT_TRUE(broker.is_ok()) << broker.status().to_string();
    broker_ = std::move(*broker);
  }

  DeadLetterSink sink(int64_t max_payload_bytes) {
    auto producer = KafkaProducer::create(broker_->bootstrap_servers(), {}, /*idempotent=*/true);
    EXPECT_TRUE(producer.is_ok());
    return DeadLetterSink(std::move(*producer), "events.dlq", max_payload_bytes);
  }

  std::unique_ptr<EmbeddedBroker> broker_;
};

TEST_F(DeadLetterSinkTest, SendsA10MbMessageTruncatedWithItsFullSize) {
  DeadLetterSink letters = sink(900'000);
  const std::string payload(10 << 20, '{');
  ASSERT_TRUE(letters.send({"u1", payload, RejectReason::kOversizeMessage, "10485760 bytes", "events", 3, 77}).is_ok());
  ASSERT_TRUE(letters.send({"u2", "{bad", RejectReason::kMalformedJson, "at 4", "events", 0, 5}).is_ok());
  ASSERT_TRUE(letters.flush(10000).is_ok());
  const auto seen = testing::read_dead_letters(broker_->bootstrap_servers(), "events.dlq", 2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].key, "u1");
  EXPECT_EQ(seen[0].payload, payload.substr(0, 900'000));
  EXPECT_EQ(seen[0].header("bahed.truncated"), "true");
  EXPECT_EQ(seen[0].header("bahed.payload_bytes"), "10485760");
  EXPECT_EQ(seen[0].header("bahed.reason"), "oversize_message");
  EXPECT_EQ(seen[0].header("bahed.source.partition"), "3");
  EXPECT_EQ(seen[0].header("bahed.source.offset"), "77");
  EXPECT_EQ(seen[1].payload, "{bad");
  EXPECT_EQ(seen[1].header("bahed.truncated"), "");
  EXPECT_EQ(seen[1].header("bahed.payload_bytes"), "4");
}

TEST_F(DeadLetterSinkTest, RefusesALetterOverTheProducersLimitNamingTheTopic) {
  // Without truncation a 10 MB letter is over the producer's
  // message.max.bytes (1,000,000): refused at once, the broker never sees it
  // (the stream counts it, and its next flush fails).
  DeadLetterSink letters = sink(int64_t{1} << 30);
  const Status sent = letters.send({"u1", std::string(10 << 20, 'x'), RejectReason::kOversizeMessage, "", "events", 0, 1});
  EXPECT_FALSE(sent.is_ok());
  EXPECT_NE(sent.message().find("events.dlq"), std::string::npos) << sent.to_string();
}

}  // namespace
}  // namespace bahed::consumers
