#include "consumers/event_decoder.h"

#include <gtest/gtest.h>

#include <string>

namespace bahed::consumers {
namespace {

constexpr int64_t kNow = 1'700'000'100'000;

class EventDecoderTest : public ::testing::Test {
 protected:
  DecodeOutcome decode(const std::string& payload, const std::string& key = "u42") {
    return decoder_.decode(key, payload, kNow, &event_);
  }
  void expect_reject(const std::string& payload, RejectReason reason, const std::string& key = "u42") {
    const DecodeOutcome out = decode(payload, key);
    EXPECT_FALSE(out.ok) << payload;
    EXPECT_EQ(reject_reason_name(out.reason), reject_reason_name(reason)) << payload << " detail: " << out.detail;
    EXPECT_FALSE(out.detail.empty());
  }
  EventDecoder decoder_{DecodeOptions{}};
  Event event_;
};

const std::string kImpression =
    R"({"v":1,"type":"impression","user":"u42","ts":1700000000123,)"
    R"("item":{"id":"m318","text":"The Shawshank Redemption (1994) | Crime, Drama"},"label":1})";

TEST_F(EventDecoderTest, AcceptsContractImpression) {
  ASSERT_TRUE(decode(kImpression).ok);
  EXPECT_EQ(event_.type, EventType::kImpression);
  EXPECT_EQ(event_.user, "u42");
  EXPECT_EQ(event_.ts_ms, 1700000000123);
  EXPECT_EQ(event_.item_id, "m318");
  EXPECT_EQ(event_.item_text, "The Shawshank Redemption (1994) | Crime, Drama");
  EXPECT_EQ(event_.label, 1);
  EXPECT_EQ(event_.feature, "default");
}

TEST_F(EventDecoderTest, AcceptsContractBehaviorWithFeature) {
  ASSERT_TRUE(decode(R"({"v":1,"type":"behavior","user":"u42","ts":1700000000456,"feature":"search",)"
                     R"("text":"searched: prison escape movies"})")
                  .ok);
  EXPECT_EQ(event_.type, EventType::kBehavior);
  EXPECT_EQ(event_.feature, "search");
  EXPECT_EQ(event_.text, "searched: prison escape movies");
}

TEST_F(EventDecoderTest, IgnoresUnknownFieldsForSchemaEvolution) {
  ASSERT_TRUE(decode(R"({"v":1,"type":"behavior","user":"u42","ts":1700000000456,"text":"x",)"
                     R"("new_field":{"nested":[1,2,3]},"rating":4.5})")
                  .ok);
  EXPECT_EQ(event_.text, "x");
}

TEST_F(EventDecoderTest, AcceptsBooleanLabelAndUnescapesText) {
  ASSERT_TRUE(decode(R"({"v":1,"type":"impression","user":"u42","ts":1700000000000,)"
                     R"("item":{"id":"m1","text":"caf\u00e9 \"quoted\""},"label":false})")
                  .ok);
  EXPECT_EQ(event_.label, 0);
  EXPECT_EQ(event_.item_text, "caf\xc3\xa9 \"quoted\"");
}

TEST_F(EventDecoderTest, RejectsEachWayOfBreakingTheContract) {
  expect_reject("{not json", RejectReason::kMalformedJson);
  expect_reject("", RejectReason::kMalformedJson);
  expect_reject("[1,2]", RejectReason::kNotAnObject);
  expect_reject("\"just a string\"", RejectReason::kNotAnObject);
  expect_reject(R"({"type":"behavior","user":"u42","ts":1700000000000,"text":"x"})", RejectReason::kMissingField);
  expect_reject(R"({"v":"1","type":"behavior","user":"u42","ts":1700000000000,"text":"x"})", RejectReason::kWrongType);
  expect_reject(R"({"v":2,"type":"behavior","user":"u42","ts":1700000000000,"text":"x"})",
                RejectReason::kUnsupportedVersion);
  expect_reject(R"({"v":1,"type":"click","user":"u42","ts":1700000000000,"text":"x"})", RejectReason::kUnknownType);
  expect_reject(R"({"v":1,"type":"behavior","user":"","ts":1700000000000,"text":"x"})", RejectReason::kEmptyField);
  expect_reject(R"({"v":1,"type":"behavior","user":42,"ts":1700000000000,"text":"x"})", RejectReason::kWrongType);
  expect_reject(R"({"v":1,"type":"behavior","user":"u42","text":"x"})", RejectReason::kMissingField);
  expect_reject(R"({"v":1,"type":"behavior","user":"u42","ts":"soon","text":"x"})", RejectReason::kWrongType);
  expect_reject(R"({"v":1,"type":"behavior","user":"u42","ts":1700000000.5,"text":"x"})", RejectReason::kWrongType);
  expect_reject(R"({"v":1,"type":"behavior","user":"u42","ts":1700000000,"text":"x"})", RejectReason::kBadTimestamp);
  expect_reject(R"({"v":1,"type":"behavior","user":"u42","ts":99999999999999,"text":"x"})", RejectReason::kBadTimestamp);
  expect_reject(R"({"v":1,"type":"behavior","user":"u42","ts":1700000000000})", RejectReason::kMissingField);
  expect_reject(R"({"v":1,"type":"behavior","user":"u42","ts":1700000000000,"text":""})", RejectReason::kEmptyField);
  expect_reject(R"({"v":1,"type":"behavior","user":"u42","ts":1700000000000,"text":"a\u0000b"})",
                RejectReason::kControlCharacter);
  expect_reject(R"({"v":1,"type":"behavior","user":"u42","ts":1700000000000,"text":"x","feature":7})",
                RejectReason::kWrongType);
  expect_reject(R"({"v":1,"type":"impression","user":"u42","ts":1700000000000,"label":1})", RejectReason::kMissingField);
  expect_reject(R"({"v":1,"type":"impression","user":"u42","ts":1700000000000,"item":"m1","label":1})",
                RejectReason::kWrongType);
  expect_reject(R"({"v":1,"type":"impression","user":"u42","ts":1700000000000,"item":{"text":"t"},"label":1})",
                RejectReason::kMissingField);
  expect_reject(R"({"v":1,"type":"impression","user":"u42","ts":1700000000000,"item":{"id":"m1","text":"t"},"label":2})",
                RejectReason::kBadLabel);
  expect_reject(R"({"v":1,"type":"impression","user":"u42","ts":1700000000000,"item":{"id":"m1","text":"t"}})",
                RejectReason::kMissingField);
}

TEST_F(EventDecoderTest, NamesTheNestedFieldInDetail) {
  const DecodeOutcome out =
      decode(R"({"v":1,"type":"impression","user":"u42","ts":1700000000000,"item":{"id":"m1"},"label":1})");
  ASSERT_FALSE(out.ok);
  EXPECT_EQ(out.detail, "item.text");
}

TEST_F(EventDecoderTest, RejectsMissingOrMismatchedKey) {
  expect_reject(kImpression, RejectReason::kEmptyKey, "");
  expect_reject(kImpression, RejectReason::kKeyMismatch, "u7");
}

TEST_F(EventDecoderTest, RejectsInvalidUtf8) {
  std::string bad = R"({"v":1,"type":"behavior","user":"u42","ts":1700000000000,"text":"ab)";
  bad += "\xff\xfe";
  bad += R"("})";
  expect_reject(bad, RejectReason::kInvalidUtf8);
}

TEST_F(EventDecoderTest, RejectsOversizeMessageAndField) {
  const std::string big_text(5000, 'a');
  expect_reject(R"({"v":1,"type":"behavior","user":"u42","ts":1700000000000,"text":")" + big_text + "\"}",
                RejectReason::kOversizeField);
  expect_reject(std::string(2 << 20, ' '), RejectReason::kOversizeMessage);
  expect_reject(std::string(10 << 20, '{'), RejectReason::kOversizeMessage);
}

TEST_F(EventDecoderTest, RejectsDeepNesting) {
  std::string deep = R"({"v":1,"type":"behavior","user":"u42","ts":1700000000000,"text":"x","junk":)";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  deep += "}";
  expect_reject(deep, RejectReason::kTooDeep);
}

TEST_F(EventDecoderTest, DecodesAgainAfterAReject) {
  expect_reject("garbage", RejectReason::kMalformedJson);
  EXPECT_TRUE(decode(kImpression).ok);
  EXPECT_EQ(event_.item_id, "m318");
}

TEST(DecodeOptions, ValidateNamesTheKey) {
  DecodeOptions o;
  o.max_text_bytes = 0;
  const Status s = o.validate();
  EXPECT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("decode.max_text_bytes"), std::string::npos);
}

}  // namespace
}  // namespace bahed::consumers
