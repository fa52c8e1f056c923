#include "encoder/behavior_encoder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "common/clock.h"
#include "tests/encoder/stage/encoder_test_util.h"
#include "tests/store/store_test_util.h"

namespace bahed::encoder {
namespace {

using testing::CountingTextEncoder;
using testing::behavior_event;
using testing::impression_event;
using testing::make_batches;

class BehaviorEncoderTest : public ::testing::Test {
 protected:
  std::unique_ptr<BehaviorStore> open_store(const TextEncoder& text_encoder, uint32_t history_length = 16) {
    StoreOptions options = testing::test_options(dir_.path("store"));
    options.history_length = history_length;
    auto store = BehaviorStore::open(options, EncoderSpec{text_encoder.fingerprint(), text_encoder.dimension()}, clock_);
    EXPECT_TRUE(store.is_ok()) << store.status().to_string();
    return std::move(store).value();
  }
  std::unique_ptr<BehaviorEncoder> make_encoder(BehaviorStore& store, TextEncoder& text_encoder, uint32_t n = 3) {
    BehaviorEncoderOptions options;
    options.context_length = n;
    auto encoder = BehaviorEncoder::create(options, store, text_encoder);
    EXPECT_TRUE(encoder.is_ok()) << encoder.status().to_string();
    return std::move(encoder).value();
  }
  // Context of each target as texts' vectors, to compare across runs.
  static std::vector<std::vector<std::vector<float>>> contexts(const EncodedBatch& batch) {
    std::vector<std::vector<std::vector<float>>> out;
    for (const auto& t : batch.targets) {
      std::vector<std::vector<float>> c;
      for (const auto& b : t.context) c.emplace_back(batch.vector(b.vector), batch.vector(b.vector) + batch.dimension);
      out.push_back(std::move(c));
    }
    return out;
  }

  testing::TempDir dir_;
  FakeClock clock_{1'700'000'000'000};
};

TEST_F(BehaviorEncoderTest, ContextIsTheLastNBehaviorsStrictlyBeforeEachTarget) {
  CountingTextEncoder text_encoder;
  auto store = open_store(text_encoder);
  auto encoder = make_encoder(*store, text_encoder, /*n=*/2);
  std::vector<Event> events = {behavior_event("u", 0, "a"), behavior_event("u", 1, "b"),
                               behavior_event("u", 2, "c"), impression_event("u", 3, "m1", 1),
                               impression_event("u", 4, "m2", 0)};
  auto batch = encoder->encode(make_batches(events, 100)[0]);
  ASSERT_TRUE(batch.is_ok()) << batch.status().to_string();
  ASSERT_EQ(batch->targets.size(), 2u);
  const auto& t0 = batch->targets[0];
  ASSERT_EQ(t0.context.size(), 2u);
  EXPECT_EQ(t0.context[0].source.offset, 1);
  EXPECT_EQ(t0.context[1].source.offset, 2);
  const auto& t1 = batch->targets[1];
  ASSERT_EQ(t1.context.size(), 2u);
  EXPECT_EQ(t1.context[0].source.offset, 2);
  EXPECT_EQ(t1.context[1].source.offset, 3);
  // The first target's own history entry (its item, clicked) is the second's last context entry.
  EXPECT_EQ(t1.context[1].vector, t0.item_vector);
  EXPECT_EQ(t1.context[1].action, BehaviorAction::kClicked);
  EXPECT_EQ(t1.context[0].action, BehaviorAction::kNone);
  EXPECT_EQ(t0.context[1].action, BehaviorAction::kNone);
  const std::vector<float> item = text_encoder.vector_of("title of m1");
  EXPECT_EQ(std::vector<float>(batch->vector(t0.item_vector), batch->vector(t0.item_vector) + 4), item);
}

TEST_F(BehaviorEncoderTest, ContextComesFromTheStoreAcrossBatches) {
  CountingTextEncoder text_encoder;
  auto store = open_store(text_encoder);
  auto encoder = make_encoder(*store, text_encoder, /*n=*/3);
  std::vector<Event> events = {behavior_event("u", 0, "a"), behavior_event("u", 1, "b"),
                               impression_event("u", 2, "m1", 1)};
  auto batches = make_batches(events, 2);
  ASSERT_TRUE(encoder->encode(batches[0]).is_ok());
  auto second = encoder->encode(batches[1]);
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  ASSERT_EQ(second->targets.size(), 1u);
  ASSERT_EQ(second->targets[0].context.size(), 2u);
  EXPECT_EQ(std::vector<float>(second->vector(second->targets[0].context[0].vector),
                               second->vector(second->targets[0].context[0].vector) + 4),
            text_encoder.vector_of("a"));
}

TEST_F(BehaviorEncoderTest, StoredImpressionsKeepTheirActionInLaterContexts) {
  CountingTextEncoder text_encoder;
  auto store = open_store(text_encoder);
  auto encoder = make_encoder(*store, text_encoder, /*n=*/3);
  std::vector<Event> events = {impression_event("u", 0, "m1", 1), impression_event("u", 1, "m2", 0),
                               impression_event("u", 2, "m3", 1)};
  auto batches = make_batches(events, 2);
  ASSERT_TRUE(encoder->encode(batches[0]).is_ok());
  auto second = encoder->encode(batches[1]);
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();
  ASSERT_EQ(second->targets.size(), 1u);
  const auto& context = second->targets[0].context;
  ASSERT_EQ(context.size(), 2u);
  EXPECT_EQ(context[0].action, BehaviorAction::kClicked);
  EXPECT_EQ(context[1].action, BehaviorAction::kSkipped);
  EXPECT_EQ(std::vector<float>(second->vector(context[1].vector), second->vector(context[1].vector) + 4),
            text_encoder.vector_of("title of m2"));
}

TEST_F(BehaviorEncoderTest, ReplayedTargetsSeeNoLaterEventAlreadyInTheStore) {
  CountingTextEncoder text_encoder;
  auto store = open_store(text_encoder);
  auto encoder = make_encoder(*store, text_encoder, /*n=*/3);
  std::vector<Event> events;
  for (int64_t o = 0; o < 10; ++o) {
    events.push_back(o % 3 == 2 ? impression_event("u", o, "m" + std::to_string(o), o % 2)
                                : behavior_event("u", o, "b" + std::to_string(o)));
  }
  auto first_pass = make_batches(events, 4);
  std::vector<std::vector<std::vector<std::vector<float>>>> first;
  for (const auto& b : first_pass) first.push_back(contexts(encoder->encode(b).value()));
  // A crash after the store applied everything: the whole log comes again.
  std::vector<std::vector<std::vector<std::vector<float>>>> again;
  for (const auto& b : first_pass) again.push_back(contexts(encoder->encode(b).value()));
  EXPECT_EQ(first, again);
  auto history = store->read_history("u", 100).value();
  EXPECT_EQ(history.size(), 10u);  // nothing appended twice
}

TEST_F(BehaviorEncoderTest, EncodesEveryBehaviorOfTheMovieLensLogOnceAcrossTwoReplays) {
  const std::string path = std::string(BAHED_TEST_DATA_DIR) + "/movielens/events.jsonl";
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " missing: run ops/prepare_data.sh";
  const std::vector<Event> events = testing::read_movielens_events(path);
  ASSERT_EQ(events.size(), 100'004u);
  CountingTextEncoder text_encoder;
  auto store = open_store(text_encoder, /*history_length=*/64);
  auto encoder = make_encoder(*store, text_encoder, /*n=*/50);
  size_t targets = 0;
  for (int replay = 0; replay < 2; ++replay) {
    for (const auto& batch : make_batches(events, 2000)) {
      auto encoded = encoder->encode(batch);
      ASSERT_TRUE(encoded.is_ok()) << encoded.status().to_string();
      targets += encoded->targets.size();
    }
  }
  EXPECT_EQ(targets, 2 * events.size());
  std::set<std::string> distinct;
  for (const auto& e : events) distinct.insert(e.item_text);  // an impression's history entry is its item
  EXPECT_EQ(text_encoder.calls().size(), distinct.size());
  for (const auto& [text, count] : text_encoder.calls()) ASSERT_EQ(count, 1) << text;
  EXPECT_EQ(encoder->metrics().lookup_misses.load(), distinct.size());
  EXPECT_EQ(encoder->metrics().context_missing.load(), 0u);
}

TEST_F(BehaviorEncoderTest, ReencodesHistoryFromStoredTextAfterAnEncoderChange) {
  std::vector<Event> events = {behavior_event("u", 0, "a"), behavior_event("u", 1, "b"),
                               impression_event("u", 2, "m1", 1)};
  {
    CountingTextEncoder old_encoder(/*fingerprint=*/1);
    auto store = open_store(old_encoder);
    auto encoder = make_encoder(*store, old_encoder);
    ASSERT_TRUE(encoder->encode(make_batches({events[0], events[1]}, 10)[0]).is_ok());
    ASSERT_TRUE(store->close().is_ok());
  }
  CountingTextEncoder new_encoder(/*fingerprint=*/2);
  auto store = open_store(new_encoder);
  auto encoder = make_encoder(*store, new_encoder);
  EventBatch batch;
  batch.events = {events[2]};
  auto encoded = encoder->encode(batch);
  ASSERT_TRUE(encoded.is_ok()) << encoded.status().to_string();
  ASSERT_EQ(encoded->targets[0].context.size(), 2u);
  // The new version's vectors, never the old ones.
  EXPECT_EQ(std::vector<float>(encoded->vector(encoded->targets[0].context[0].vector),
                               encoded->vector(encoded->targets[0].context[0].vector) + 4),
            new_encoder.vector_of("a"));
  EXPECT_EQ(encoder->metrics().reencoded_from_text.load(), 2u);
  EXPECT_EQ(new_encoder.calls().count("a"), 1u);
}

TEST_F(BehaviorEncoderTest, RefusesAStoreOpenForAnotherEncoder) {
  CountingTextEncoder text_encoder(/*fingerprint=*/1);
  CountingTextEncoder other(/*fingerprint=*/2);
  auto store = open_store(text_encoder);
  auto encoder = BehaviorEncoder::create(BehaviorEncoderOptions{}, *store, other);
  ASSERT_FALSE(encoder.is_ok());
  EXPECT_NE(encoder.status().message().find("encoder version"), std::string::npos);
}

}  // namespace
}  // namespace bahed::encoder
