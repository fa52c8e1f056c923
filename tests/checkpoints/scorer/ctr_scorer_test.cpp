// The scorer against the trainer: a version published from a Trainer, then
// scored through CtrScorer (files, fingerprints, model_config, vectors,
// rows with many candidates) must give the trainer's own evaluation
// probabilities, each candidate scored alone in its sliding-window row. On
// a real MovieLens user's history.
#include "checkpoints/scorer/ctr_scorer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "checkpoints/checkpoint_publisher.h"
#include "checkpoints/scorer/published_model.h"
#include "checkpoints/scorer/scorer_watcher.h"
#include "checkpoints/version_layout.h"
#include "common/clock.h"
#include "common/hex64.h"
#include "encoder/shallow_text_encoder.h"
#include "encoder/store/behavior_key.h"
#include "encoder/store/behavior_store.h"
#include "encoder/store/behavior_text.h"
#include "encoder/store/store_types.h"
#include "tests/common/temp_dir.h"
#include "tests/encoder/llm/tiny_model.h"
#include "trainer/ctr_trainer.h"

namespace bahed::checkpoints {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kContext = 20;

void write_tiny_model(const fs::path& dir, uint64_t seed) { encoder::llm_test::write_tiny_byte_model(dir, seed, 4); }

// The MovieLens user with the most ratings: (item text, label) oldest first.
std::vector<std::pair<std::string, int>> movielens_user() {
  const std::string path = std::string(BAHED_TEST_DATA_DIR) + "/movielens/events.jsonl";
  std::ifstream in(path);
  EXPECT_TRUE(in) << path << " (ops/prepare_data.sh makes it)";
  std::map<std::string, std::vector<std::pair<std::string, int>>> users;
  simdjson::dom::parser parser;
  std::string line;
  while (std::getline(in, line)) {
    simdjson::dom::element e = parser.parse(line);
    const std::string_view user = e["user"];
    const std::string_view item = e["item"]["text"];
    const int64_t label = e["label"];
    users[std::string(user)].emplace_back(std::string(item), static_cast<int>(label));
  }
  size_t best = 0;
  std::string who;
  for (const auto& [user, events] : users) {
    if (events.size() > best) {
      best = events.size();
      who = user;
    }
  }
  return users[who];
}

class CtrScorerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_tiny_model(dir_.path() / "model", 3);
    llm_.model_dir = (dir_.path() / "model").string();
    llm_.n_layers_shallow = 2;
    auto text_encoder = encoder::ShallowTextEncoder::load(llm_, shallow_);
    ASSERT_TRUE(text_encoder.is_ok()) << text_encoder.status().to_string();
    text_encoder_ = std::move(text_encoder).value();
    options_.n_context = kContext;
    options_.n_targets_per_row = 8;
    options_.model.n_head_hidden = 16;
    options_.warmup_steps = 1;
    trainer_ = std::make_unique<trainer::Trainer>(text_encoder_->model(), options_, clock_);
    events_ = movielens_user();
    ASSERT_GT(events_.size(), static_cast<size_t>(kContext + 10));
  }

  // Vectors of `texts` (items), rounded as the store keeps them.
  torch::Tensor vectors(const std::vector<std::string>& texts) {
    std::vector<std::string> normalized;
    for (const auto& t : texts) normalized.push_back(encoder::normalize_behavior_text(t));
    auto values = text_encoder_->encode(normalized);
    EXPECT_TRUE(values.is_ok());
    for (float& v : *values) v = encoder::round_to_vector_dtype(v, encoder::VectorDtype::kBf16);
    return torch::from_blob(values->data(), {static_cast<int64_t>(texts.size()), text_encoder_->dimension()},
                            torch::kFloat32)
        .clone();
  }

  // Trains one step on the user's first rows so the weights are not the
  // initial ones, then publishes.
  void train_and_publish() {
    std::vector<std::string> texts;
    trainer::RowSpec row;
    for (int64_t i = 0; i < kContext + 8; ++i) {
      texts.push_back(events_[static_cast<size_t>(i)].first);
      row.behaviors.push_back(i);
      row.actions.push_back(action_of_label(events_[static_cast<size_t>(i)].second));
    }
    for (int64_t t = kContext; t < kContext + 8; ++t) {
      texts.push_back(events_[static_cast<size_t>(t)].first);
      row.targets.push_back({kContext + 8 + (t - kContext), static_cast<float>(events_[static_cast<size_t>(t)].second),
                             t - kContext, t});
    }
    trainer_->train_step(std::span<const trainer::RowSpec>(&row, 1), vectors(texts));

    PublisherOptions publisher_options;
    publisher_options.publish_dir = dir_.path() / "publish";
    publisher_options.fsync = false;
    auto publisher = CheckpointPublisher::open(publisher_options, clock_, make_null_logger("p"));
    ASSERT_TRUE(publisher.is_ok()) << publisher.status().to_string();
    ManifestFields fields;
    fields.step = trainer_->n_steps();
    fields.base_model_fingerprint = hex64(text_encoder_->base_model_fingerprint());
    fields.encoder_fingerprint = hex64(text_encoder_->fingerprint());
    fields.model_config = to_json(published_model_config(text_encoder_->model(), options_));
    auto published = (*publisher)->publish(
        fields, {{"model.safetensors", [&](const fs::path& f) { return write_model_safetensors(trainer_->model(), f); }}});
    ASSERT_TRUE(published.is_ok()) << published.status().to_string();
  }

  ScorerOptions scorer_options() {
    ScorerOptions o;
    o.publish_dir = dir_.path() / "publish";
    o.llm = llm_;
    o.shallow = shallow_;
    return o;
  }

  // The request: the user's history up to `at` (actions from labels), and
  // the items of the next `n` events as candidates.
  ScoreRequest request(size_t at, size_t n) {
    ScoreRequest r;
    for (size_t i = 0; i < at; ++i) r.history.push_back({"item", events_[i].first, action_of_label(events_[i].second)});
    for (size_t i = at; i < at + n; ++i) r.candidates.push_back(events_[i].first);
    return r;
  }

  // What the trainer's evaluation gives, one sliding-window row per candidate.
  std::vector<float> trainer_probabilities(const ScoreRequest& r) {
    std::vector<std::string> texts;
    const size_t first = r.history.size() - static_cast<size_t>(kContext);
    for (size_t i = first; i < r.history.size(); ++i) texts.push_back(r.history[i].text);
    for (const auto& c : r.candidates) texts.push_back(c);
    std::vector<trainer::RowSpec> rows;
    for (size_t c = 0; c < r.candidates.size(); ++c) {
      trainer::RowSpec row;
      for (int64_t i = 0; i < kContext; ++i) {
        row.behaviors.push_back(i);
        row.actions.push_back(r.history[first + static_cast<size_t>(i)].action);
      }
      row.targets.push_back({kContext + static_cast<int64_t>(c), 0.0f, 0, kContext});
      rows.push_back(row);
    }
    const auto report = trainer_->evaluate(rows, vectors(texts));
    std::vector<float> out;
    for (float logit : report.logits) out.push_back(1.0f / (1.0f + std::exp(-logit)));
    return out;
  }

  bahed::testing::TempDir dir_;
  SystemClock clock_;
  encoder::LlmOptions llm_;
  encoder::ShallowEncoderOptions shallow_;
  trainer::TrainerOptions options_;
  std::unique_ptr<encoder::ShallowTextEncoder> text_encoder_;
  std::unique_ptr<trainer::Trainer> trainer_;
  std::vector<std::pair<std::string, int>> events_;
};

TEST_F(CtrScorerTest, GivesTheTrainersEvaluationProbabilitiesOnARealUser) {
  train_and_publish();
  auto scorer = CtrScorer::open(scorer_options(), make_null_logger("scorer"));
  ASSERT_TRUE(scorer.is_ok()) << scorer.status().to_string();
  EXPECT_EQ((*scorer)->version().version, 1);
  const ScoreRequest r = request(kContext + 15, 10);  // a longer history than n: only the last n count
  ScoreStats stats;
  auto scores = (*scorer)->score(r, &stats);
  ASSERT_TRUE(scores.is_ok()) << scores.status().to_string();
  const std::vector<float> expected = trainer_probabilities(r);
  ASSERT_EQ(scores->size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR((*scores)[i], expected[i], 1e-6) << "candidate " << i;
  EXPECT_EQ(stats.encoded, kContext + 10);  // no store: every text encoded
  // Not all the same: the candidates' items matter.
  EXPECT_GT(*std::max_element(scores->begin(), scores->end()) - *std::min_element(scores->begin(), scores->end()), 1e-4);
}

TEST_F(CtrScorerTest, ScoresSeveralUsersInOneBatchAsOneByOne) {
  train_and_publish();
  auto scorer = CtrScorer::open(scorer_options(), make_null_logger("scorer"));
  ASSERT_TRUE(scorer.is_ok()) << scorer.status().to_string();
  // Histories of different lengths (one shorter than n, one empty) whose
  // candidates overlap, so shared texts are looked up once.
  std::vector<ScoreRequest> requests = {request(kContext + 15, 10), request(kContext / 2, 12), request(0, 3),
                                        request(kContext + 5, 8)};
  ScoreStats batch_stats;
  auto batch = (*scorer)->score_batch(requests, &batch_stats);
  ASSERT_TRUE(batch.is_ok()) << batch.status().to_string();
  ASSERT_EQ(batch->size(), requests.size());
  std::set<std::string> distinct;
  for (size_t r = 0; r < requests.size(); ++r) {
    auto alone = (*scorer)->score(requests[r]);
    ASSERT_TRUE(alone.is_ok());
    ASSERT_EQ((*batch)[r].size(), requests[r].candidates.size());
    for (size_t i = 0; i < alone->size(); ++i) EXPECT_NEAR((*batch)[r][i], (*alone)[i], 1e-6) << "request " << r;
    const size_t first = requests[r].history.size() > static_cast<size_t>(kContext)
                             ? requests[r].history.size() - static_cast<size_t>(kContext)
                             : 0;
    for (size_t i = first; i < requests[r].history.size(); ++i) distinct.insert(requests[r].history[i].text);
    for (const auto& c : requests[r].candidates) distinct.insert(c);
  }
  EXPECT_EQ(batch_stats.encoded, static_cast<int64_t>(distinct.size()));
  // One bad request fails the batch, naming why.
  requests[2].candidates.clear();
  EXPECT_EQ((*scorer)->score_batch(requests).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(CtrScorerTest, ReadsVectorsFromTheStoreAndScoresTheSame) {
  train_and_publish();
  const ScoreRequest r = request(kContext, 5);
  // The daemon's store, holding every text's vector.
  {
    encoder::StoreOptions store_options;
    store_options.path = (dir_.path() / "store").string();
    auto store = encoder::BehaviorStore::open(store_options, {text_encoder_->fingerprint(), text_encoder_->dimension()}, clock_);
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    std::vector<std::string> texts;
    for (const auto& b : r.history) texts.push_back(encoder::normalize_behavior_text(b.text));
    for (const auto& c : r.candidates) texts.push_back(encoder::normalize_behavior_text(c));
    auto values = text_encoder_->encode(texts);
    ASSERT_TRUE(values.is_ok());
    std::vector<encoder::BehaviorRecord> records;
    for (size_t i = 0; i < texts.size(); ++i) {
      records.push_back({encoder::BehaviorKey{text_encoder_->fingerprint(), encoder::hash_behavior("item", texts[i])}, "item",
                         texts[i],
                         std::span<const float>(values->data() + i * text_encoder_->dimension(), text_encoder_->dimension())});
    }
    ASSERT_TRUE((*store)->put_behaviors(records).is_ok());
    ASSERT_TRUE((*store)->close().is_ok());
  }
  ScorerOptions o = scorer_options();
  o.store_path = dir_.path() / "store";
  auto scorer = CtrScorer::open(o, make_null_logger("scorer"));
  ASSERT_TRUE(scorer.is_ok()) << scorer.status().to_string();
  ScoreStats stats;
  auto scores = (*scorer)->score(r, &stats);
  ASSERT_TRUE(scores.is_ok()) << scores.status().to_string();
  EXPECT_EQ(stats.encoded, 0);
  EXPECT_EQ(stats.store_hits, kContext + 5);
  const std::vector<float> expected = trainer_probabilities(r);
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR((*scores)[i], expected[i], 1e-6);
  // An unknown user has no history: the documented fallback is an empty one.
  auto history = (*scorer)->user_history("nobody");
  ASSERT_TRUE(history.is_ok());
  EXPECT_TRUE(history->empty());
}

TEST_F(CtrScorerTest, RefusesAVersionOfAnotherBaseModel) {
  train_and_publish();
  ScorerOptions o = scorer_options();
  write_tiny_model(dir_.path() / "other", 4);
  o.llm.model_dir = (dir_.path() / "other").string();
  auto scorer = CtrScorer::open(o, make_null_logger("scorer"));
  ASSERT_FALSE(scorer.is_ok());
  EXPECT_EQ(scorer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(scorer.status().message().find("another base model"), std::string::npos) << scorer.status().to_string();
}

TEST_F(CtrScorerTest, RefusesACorruptOrTruncatedVersion) {
  train_and_publish();
  const fs::path weights = dir_.path() / "publish" / version_dir_name(1) / "model.safetensors";
  fs::resize_file(weights, fs::file_size(weights) - 10);
  ScorerOptions o = scorer_options();
  o.version = 1;
  auto scorer = CtrScorer::open(o, make_null_logger("scorer"));
  ASSERT_FALSE(scorer.is_ok());
  EXPECT_EQ(scorer.status().code(), StatusCode::kCorruption);
  EXPECT_NE(scorer.status().message().find("model.safetensors"), std::string::npos) << scorer.status().to_string();
  // Newest valid: nothing else is published.
  o.version = 0;
  EXPECT_EQ(CtrScorer::open(o, make_null_logger("scorer")).status().code(), StatusCode::kNotFound);
}

TEST_F(CtrScorerTest, RefusesRequestsWithoutCandidatesOrWithEmptyTexts) {
  train_and_publish();
  auto scorer = CtrScorer::open(scorer_options(), make_null_logger("scorer"));
  ASSERT_TRUE(scorer.is_ok());
  ScoreRequest r = request(5, 0);
  EXPECT_EQ((*scorer)->score(r).status().code(), StatusCode::kInvalidArgument);
  r.candidates = {" \t "};
  EXPECT_EQ((*scorer)->score(r).status().code(), StatusCode::kInvalidArgument);
  // A history shorter than n (a new user) is fine.
  r = request(3, 4);
  auto scores = (*scorer)->score(r);
  ASSERT_TRUE(scores.is_ok()) << scores.status().to_string();
  EXPECT_EQ(scores->size(), 4u);
}

TEST_F(CtrScorerTest, WatcherSwapsToANewVersionAndKeepsServingWhenOneIsCorrupt) {
  train_and_publish();
  WatcherOptions watch;
  watch.poll_interval_ms = 3600 * 1000;  // the test polls by hand
  auto watcher = ScorerWatcher::start(scorer_options(), watch, make_null_logger("watcher"));
  ASSERT_TRUE(watcher.is_ok()) << watcher.status().to_string();
  std::shared_ptr<CtrScorer> v1 = (*watcher)->current();
  EXPECT_EQ(v1->version().version, 1);
  const ScoreRequest r = request(kContext, 3);
  const auto before = v1->score(r);
  ASSERT_TRUE(before.is_ok());

  train_and_publish();  // v2: one more step
  (*watcher)->poll_now();
  EXPECT_EQ((*watcher)->current()->version().version, 2);
  EXPECT_EQ((*watcher)->metrics().n_swaps.load(), 1);
  const auto after = (*watcher)->current()->score(r);
  ASSERT_TRUE(after.is_ok());
  EXPECT_NE((*after)[0], (*before)[0]);  // the new weights serve
  // The old scorer still works for a request that holds it.
  ASSERT_TRUE(v1->score(r).is_ok());
  // The request ends: its thread does not pay for freeing v1; the watcher
  // frees it at its next poll.
  const std::weak_ptr<CtrScorer> v1_alive = v1;
  v1.reset();
  EXPECT_FALSE(v1_alive.expired());
  (*watcher)->poll_now();
  EXPECT_TRUE(v1_alive.expired());

  train_and_publish();  // v3, then damaged
  const fs::path weights = dir_.path() / "publish" / version_dir_name(3) / "model.safetensors";
  fs::resize_file(weights, fs::file_size(weights) / 2);
  (*watcher)->poll_now();
  EXPECT_EQ((*watcher)->current()->version().version, 2);
  EXPECT_EQ((*watcher)->metrics().n_refused.load(), 1);
  (*watcher)->poll_now();  // not retried until LATEST moves
  EXPECT_EQ((*watcher)->metrics().n_refused.load(), 1);

  ASSERT_TRUE((*watcher)->rollback(1).is_ok());
  EXPECT_EQ((*watcher)->current()->version().version, 1);
  EXPECT_FALSE((*watcher)->rollback(3).is_ok());
  EXPECT_EQ((*watcher)->current()->version().version, 1);
}

}  // namespace
}  // namespace bahed::checkpoints
