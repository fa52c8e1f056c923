// A corpus of malformed events through a real consumer on the mock broker:
// every field of both event types broken in every way the contract can be
// broken, whole messages that are not events at all (binary garbage, empty,
// 2 MB: beyond the decoder's and the dead letter's limits, nested 10,000
// // deep, invalid UTF-8 of each kind). Every one must be dead-lettered with
// a reason, its key, its payload (the first dead_letter_max_payload_bytes
// of it when larger) and where it came from, while the valid events
// between them all arrive: nothing is lost, nothing stops. A reject the dead-letter topic does not take must stop the next
// version (flush_dead_letters fails), not vanish.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "consumers/embedded_broker.h"
#include "consumers/event_stream.h"
#include "consumers/kafka_producer.h"
#include "tests/consumers/dead_letter_reader.h"

namespace bahed::consumers {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

struct BadInput {
  std::string name;
  std::string key;
  std::string payload;
  std::set<std::string> reasons;  // acceptable reason names; empty: any
};

using Fields = std::vector<std::pair<std::string, std::string>>;  // name, raw JSON value

std::string object(const Fields& fields) {
  std::string s = "{";
  for (const auto& [name, value] : fields) {
    if (s.size() > 1) s += ",";
    s += "\"" + name + "\":" + value;
  }
  return s + "}";
}

const Fields kBehavior = {{"v", "1"}, {"type", "\"behavior\""}, {"user", "\"u1\""}, {"ts", "1700000000000"},
                          {"feature", "\"search\""}, {"text", "\"searched: prison escape\""}};
const Fields kImpression = {{"v", "1"},
                            {"type", "\"impression\""},
                            {"user", "\"u1\""},
                            {"ts", "1700000000000"},
                            {"item", R"({"id":"m1","text":"Heat (1995) | Action"})"},
                            {"label", "1"}};

// `fields` with `name` replaced by `value` (nullopt: removed). A dotted
// name ("item.id") reaches into the item object.
std::string with_field(Fields fields, const std::string& name, const std::optional<std::string>& value) {
  const auto dot = name.find('.');
  if (dot != std::string::npos) {
    Fields item = {{"id", "\"m1\""}, {"text", "\"Heat (1995) | Action\""}};
    return with_field(fields, name.substr(0, dot), with_field(item, name.substr(dot + 1), value));
  }
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    if (it->first != name) continue;
    if (value) it->second = *value;
    else fields.erase(it);
    return object(fields);
  }
  ADD_FAILURE() << "no field " << name;
  return {};
}

std::vector<BadInput> bad_inputs() {
  std::vector<BadInput> corpus;
  auto add = [&](std::string name, std::string payload, std::set<std::string> reasons, std::string key = "u1") {
    corpus.push_back({std::move(name), std::move(key), std::move(payload), std::move(reasons)});
  };
  // Every field, every way: absent, null, each other JSON type, empty,
  // too long, with invalid UTF-8, with a control character.
  struct FieldCase {
    const Fields* event;
    std::string field;
    bool is_string, optional;
  };
  const std::vector<FieldCase> field_cases = {
      {&kBehavior, "v", false, false},          {&kBehavior, "type", true, false},
      {&kBehavior, "user", true, false},        {&kBehavior, "ts", false, false},
      {&kBehavior, "feature", true, true},      {&kBehavior, "text", true, false},
      {&kImpression, "item", false, false},     {&kImpression, "item.id", true, false},
      {&kImpression, "item.text", true, false}, {&kImpression, "label", false, false},
  };
  const std::string kLong(10'000, 'x');
  for (const auto& c : field_cases) {
    const std::string tag = (c.event == &kBehavior ? "behavior." : "impression.") + c.field;
    if (!c.optional) add(tag + " missing", with_field(*c.event, c.field, std::nullopt), {"missing_field"});
    add(tag + " null", with_field(*c.event, c.field, "null"), {"wrong_type", "missing_field", "bad_label"});
    add(tag + " array", with_field(*c.event, c.field, "[1,2]"), {"wrong_type", "bad_label"});
    if (c.field != "label") add(tag + " bool", with_field(*c.event, c.field, "true"), {"wrong_type"});  // labels may be bool
    if (c.field != "item") add(tag + " object", with_field(*c.event, c.field, R"({"a":1})"), {"wrong_type", "bad_label"});
    if (c.is_string) {
      add(tag + " number", with_field(*c.event, c.field, "42"), {"wrong_type"});
      add(tag + " empty", with_field(*c.event, c.field, "\"\""), {"empty_field", "unknown_type"});
      add(tag + " too long", with_field(*c.event, c.field, "\"" + kLong + "\""), {"oversize_field", "unknown_type"});
      add(tag + " invalid utf-8", with_field(*c.event, c.field, "\"ab\xff\xfe\""), {"invalid_utf8"});
      add(tag + " control character", with_field(*c.event, c.field, "\"a\\u0001b\""),
          {"control_character", "unknown_type", "key_mismatch"});
    } else {
      add(tag + " string", with_field(*c.event, c.field, "\"1\""), {"wrong_type", "bad_label"});
    }
  }
  // Values of the right type that the contract still refuses.
  add("v 2", with_field(kBehavior, "v", "2"), {"unsupported_version"});
  add("v 0", with_field(kBehavior, "v", "0"), {"unsupported_version"});
  add("v -1", with_field(kBehavior, "v", "-1"), {"unsupported_version"});
  add("v 1e400", with_field(kBehavior, "v", "1e400"), {});
  add("type click", with_field(kBehavior, "type", "\"click\""), {"unknown_type"});
  add("ts in seconds", with_field(kBehavior, "ts", "1700000000"), {"bad_timestamp"});
  add("ts negative", with_field(kBehavior, "ts", "-5"), {"bad_timestamp"});
  add("ts far future", with_field(kBehavior, "ts", "99999999999999"), {"bad_timestamp"});
  add("ts fraction", with_field(kBehavior, "ts", "1700000000000.5"), {"wrong_type"});
  add("ts beyond int64", with_field(kBehavior, "ts", "92233720368547758070"), {"wrong_type", "bad_timestamp", "malformed_json"});
  add("label 2", with_field(kImpression, "label", "2"), {"bad_label"});
  add("label -1", with_field(kImpression, "label", "-1"), {"bad_label"});
  add("label 0.5", with_field(kImpression, "label", "0.5"), {"bad_label", "wrong_type"});
  add("no key", object(kBehavior), {"empty_key"}, "");
  add("key of another user", object(kBehavior), {"key_mismatch"}, "u2");
  // Not events at all.
  add("empty", "", {"malformed_json"});
  add("null", "null", {"not_an_object"});
  add("number", "123", {"not_an_object"});
  add("string", "\"event\"", {"not_an_object"});
  add("array", "[" + object(kBehavior) + "]", {"not_an_object"});
  add("truncated", object(kBehavior).substr(0, 40), {"malformed_json"});
  add("trailing garbage", object(kBehavior) + "}}", {"malformed_json"});
  add("two objects", object(kBehavior) + object(kBehavior), {"malformed_json"});
  add("NUL inside", object(kBehavior).insert(10, 1, '\0'), {"malformed_json", "invalid_utf8", "control_character"});
  add("byte order mark", "\xef\xbb\xbf" + object(kBehavior), {"malformed_json"});
  add("UTF-16", std::string("{\0\"\0v\0\"\0:\0001\0}\0", 16), {"malformed_json", "invalid_utf8"});
  add("overlong UTF-8", with_field(kBehavior, "text", "\"a\xc0\xaf\""), {"invalid_utf8"});
  add("UTF-8 surrogate", with_field(kBehavior, "text", "\"a\xed\xa0\x80\""), {"invalid_utf8"});
  add("escaped lone surrogate", with_field(kBehavior, "text", "\"a\\ud800b\""), {});
  add("bad escape", with_field(kBehavior, "text", "\"a\\qb\""), {"malformed_json", "wrong_type"});
  std::string deep = "[", deeper;
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 101; ++i) deep += "]";
  add("nested 100 deep", with_field(kBehavior, "feature", deep), {"too_deep"});
  for (int i = 0; i < 10'000; ++i) deeper += "{\"a\":";
  add("nested 10,000 deep, unclosed", deeper, {"too_deep", "malformed_json"});
  add("2 MB", with_field(kBehavior, "text", "\"" + std::string(2 << 20, 'y') + "\""), {"oversize_message"});
  // Larger messages cannot be stored here: the mock broker keeps only the
  // newest 5 MiB of a partition. A 10 MB message is refused by the decoder
  // (event_decoder_test) and its dead letter truncated (dead_letter_sink_test).
  std::mt19937 rng(7);
  for (int i = 0; i < 20; ++i) {
    std::string garbage(1 + rng() % 4096, '\0');
    for (auto& ch : garbage) ch = static_cast<char>(rng());
    add("binary garbage " + std::to_string(i), garbage, {"malformed_json", "invalid_utf8", "not_an_object"});
  }
  return corpus;
}

std::string valid_behavior(int i) {
  return R"({"v":1,"type":"behavior","user":"ok)" + std::to_string(i) + R"(","ts":)" +
         std::to_string(1700000000000 + i) + R"(,"text":"searched: fine"})";
}

class EventStreamBadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmbeddedBrokerOptions options;
    // One partition: offsets follow the order produced, so each dead
    // letter names the corpus entry it carries.
    options.topics = {"events:1", "events.dlq:1"};
    auto broker = EmbeddedBroker::start(options);
    ASSERT_TRUE(broker.is_ok()) << broker.status().to_string();
    broker_ = std::move(*broker);
  }

  EventStreamOptions stream_options() {
    EventStreamOptions o;
    o.bootstrap_servers = broker_->bootstrap_servers();
    o.topic = "events";
    o.dead_letter_topic = "events.dlq";
    o.max_batch_wait_ms = 10;
    return o;
  }

  size_t receive(BoundedQueue<EventBatch>& q, size_t n) {
    size_t got = 0;
    const auto deadline = steady_clock::now() + std::chrono::seconds(60);
    while (got < n && steady_clock::now() < deadline) {
      if (auto batch = q.pop_for(milliseconds(100))) got += batch->events.size();
    }
    return got;
  }

  SystemClock clock_;
  std::unique_ptr<EmbeddedBroker> broker_;
};

TEST_F(EventStreamBadInputTest, DeadLettersEveryMalformedEventWithItsReasonAndLosesNone) {
  const std::vector<BadInput> corpus = bad_inputs();
  // A producer that sends what any client might, messages over 1 MB included.
  auto producer = KafkaProducer::create(broker_->bootstrap_servers(), {{"message.max.bytes", "16000000"}});
  ASSERT_TRUE(producer.is_ok()) << producer.status().to_string();
  for (size_t i = 0; i < corpus.size(); ++i) {
    ASSERT_TRUE((*producer)->produce("events", corpus[i].key, corpus[i].payload).is_ok()) << corpus[i].name;
    ASSERT_TRUE((*producer)->produce("events", "ok" + std::to_string(i), valid_behavior(static_cast<int>(i))).is_ok());
  }
  ASSERT_TRUE((*producer)->flush(30000).is_ok());
  ASSERT_EQ((*producer)->n_failed(), 0) << (*producer)->last_error();

  EventStreamOptions options = stream_options();
  BoundedQueue<EventBatch> q("events", 8);
  auto stream = EventStream::create(options, &q, clock_, make_null_logger("consumer"));
  ASSERT_TRUE(stream.is_ok()) << stream.status().to_string();
  ASSERT_TRUE((*stream)->start().is_ok());
  // Every valid event arrives; the stream keeps going through the corpus.
  EXPECT_EQ(receive(q, corpus.size()), corpus.size());
  EXPECT_EQ((*stream)->metrics().total_rejected(), corpus.size());
  ASSERT_TRUE((*stream)->flush_dead_letters(30000).is_ok());

  const auto letters = testing::read_dead_letters(broker_->bootstrap_servers(), "events.dlq", corpus.size());
  EXPECT_EQ(letters.size(), corpus.size());
  std::set<size_t> seen;
  for (const auto& letter : letters) {
    // Bad input i was produced at offset 2i.
    const size_t i = std::stoul(letter.header("bahed.source.offset")) / 2;
    ASSERT_LT(i, corpus.size());
    const BadInput& bad = corpus[i];
    EXPECT_TRUE(seen.insert(i).second) << bad.name << " dead-lettered twice";
    const std::string reason = letter.header("bahed.reason");
    EXPECT_FALSE(reason.empty()) << bad.name;
    if (!bad.reasons.empty()) EXPECT_TRUE(bad.reasons.count(reason)) << bad.name << ": " << reason;
    EXPECT_FALSE(letter.header("bahed.detail").empty()) << bad.name;
    EXPECT_EQ(letter.header("bahed.source.topic"), "events");
    EXPECT_EQ(letter.header("bahed.payload_bytes"), std::to_string(bad.payload.size())) << bad.name;
    EXPECT_EQ(letter.key, bad.key) << bad.name;
    if (static_cast<int64_t>(bad.payload.size()) > options.dead_letter_max_payload_bytes) {
      EXPECT_EQ(letter.header("bahed.truncated"), "true") << bad.name;
      EXPECT_EQ(letter.payload, bad.payload.substr(0, options.dead_letter_max_payload_bytes)) << bad.name;
    } else {
      EXPECT_EQ(letter.header("bahed.truncated"), "") << bad.name;
      EXPECT_EQ(letter.payload, bad.payload) << bad.name;
    }
  }
  for (size_t i = 0; i < corpus.size(); ++i) {
    if (!seen.count(i)) ADD_FAILURE() << corpus[i].name << " was not dead-lettered";
  }
  std::printf("[ figures ] %zu malformed messages dead-lettered once each, %zu valid events between them delivered\n",
              seen.size(), corpus.size());
  EXPECT_TRUE((*stream)->stop().is_ok());
}

TEST_F(EventStreamBadInputTest, AFailedDeadLetterFailsTheFlushInsteadOfVanishing) {
  auto producer = KafkaProducer::create(broker_->bootstrap_servers(), {});
  ASSERT_TRUE(producer.is_ok());
  ASSERT_TRUE((*producer)->produce("events", "u1", std::string(5000, '#')).is_ok());
  ASSERT_TRUE((*producer)->produce("events", "ok0", valid_behavior(0)).is_ok());
  ASSERT_TRUE((*producer)->flush(10000).is_ok());
  // The dead-letter producer refuses anything over 2,000 bytes, and the
  // letter would carry 5,000.
  EventStreamOptions options = stream_options();
  options.properties["message.max.bytes"] = "2000";
  options.dead_letter_max_payload_bytes = 100'000;
  BoundedQueue<EventBatch> q("events", 8);
  auto stream = EventStream::create(options, &q, clock_, make_null_logger("consumer"));
  ASSERT_TRUE(stream.is_ok()) << stream.status().to_string();
  ASSERT_TRUE((*stream)->start().is_ok());
  EXPECT_EQ(receive(q, 1), 1u);
  EXPECT_EQ((*stream)->metrics().dead_letter_failed.load(), 1u);
  const Status flushed = (*stream)->flush_dead_letters(5000);
  EXPECT_EQ(flushed.code(), StatusCode::kUnavailable) << flushed.to_string();
  EXPECT_NE(flushed.message().find("events.dlq"), std::string::npos) << flushed.to_string();
  EXPECT_FALSE((*stream)->stop().is_ok());
}

}  // namespace
}  // namespace bahed::consumers
