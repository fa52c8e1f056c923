#include "checkpoints/scorer/ctr_scorer.h"

#include <torch/torch.h>

#include <cstdio>
#include <unordered_map>

#include "checkpoints/scorer/published_model.h"
#include "checkpoints/version_layout.h"
#include "common/clock.h"
#include "common/hex64.h"
#include "encoder/shallow_text_encoder.h"
#include "encoder/store/behavior_key.h"
#include "encoder/store/behavior_store.h"
#include "encoder/store/behavior_text.h"
#include "encoder/store/store_types.h"
#include "trainer/ctr_trainer.h"

namespace bahed::checkpoints {
namespace {

// Candidates per row: the row holds the history once and every candidate
// after it, so this bounds a row's length (n + 128 slots).
constexpr size_t kCandidatesPerRow = 128;

// Slots (rows x padded length) per forward pass when scoring. Passes that
// stay in the CPU's caches win: `bahectl bench score` on 64 users x 100
// candidates (rows of 150 slots, one torch thread) gave 3,400 candidates/s
// at the training default of 8,192 slots, 9,900-10,500 at 512-1,024, and
// 9,100 at 256 (one row per pass).
constexpr int64_t kScoringSlotsPerPass = 512;

}  // namespace

Status ScorerOptions::validate() const {
  if (publish_dir.empty()) return Status::invalid_argument("scorer: publish_dir is required");
  if (version < 0) return Status::invalid_argument("scorer: version must be >= 0 (0 = newest)");
  if (item_feature.empty()) return Status::invalid_argument("scorer: item_feature must not be empty");
  return shallow.validate();
}

class CtrScorer::Impl {
 public:
  Impl(const ScorerOptions& options, Logger logger) : options_(options), logger_(std::move(logger)) {
    store_options_.vector_dtype = options.vector_dtype;
  }

  Status open() {
    BAHED_RETURN_IF_ERROR(options_.validate());
    Result<VersionInfo> version = options_.version > 0
                                      ? verify_version(options_.publish_dir / version_dir_name(options_.version))
                                      : newest_valid(options_.publish_dir);
    if (!version.is_ok()) return version.status();
    version_ = std::move(version).value();
    BAHED_ASSIGN_OR_RETURN(config_, parse_published_model_config(version_.manifest.fields.model_config));
    BAHED_ASSIGN_OR_RETURN(trainer::TrainerOptions trainer_options, trainer_options_of(config_));
    trainer_options.batch.max_padded_slots = kScoringSlotsPerPass;
    if (trainer_options.model.granularity != trainer::SlotGranularity::kBehavior) {
      return Status::invalid_argument(version_.dir.string() + " was trained token-level; the scorer reads behavior vectors");
    }
    encoder::LlmOptions llm = options_.llm;
    if (llm.n_layers_shallow != config_.n_layers_shallow) {
      logger_->info("scorer_split n_layers_shallow={} (from the version's model_config, not {})", config_.n_layers_shallow,
                    llm.n_layers_shallow);
      llm.n_layers_shallow = config_.n_layers_shallow;
    }
    BAHED_ASSIGN_OR_RETURN(text_encoder_, encoder::ShallowTextEncoder::load(llm, options_.shallow));
    const auto& fields = version_.manifest.fields;
    if (hex64(text_encoder_->base_model_fingerprint()) != fields.base_model_fingerprint) {
      return Status::invalid_argument(version_.dir.string() + " was trained from another base model (fingerprint " +
                                      fields.base_model_fingerprint + ", " + llm.model_dir + " has " +
                                      hex64(text_encoder_->base_model_fingerprint()) + ")");
    }
    if (hex64(text_encoder_->fingerprint()) != fields.encoder_fingerprint) {
      return Status::invalid_argument(version_.dir.string() + " was trained on vectors of another encoder (fingerprint " +
                                      fields.encoder_fingerprint + ", this one " + hex64(text_encoder_->fingerprint()) +
                                      "): use the daemon's encoder settings (pooling, max_tokens, dtype)");
    }
    trainer_ = std::make_unique<trainer::Trainer>(text_encoder_->model(), trainer_options, clock_);
    BAHED_RETURN_IF_ERROR(read_model_safetensors(version_.dir / "model.safetensors", trainer_->model()));
    if (!options_.store_path.empty()) BAHED_RETURN_IF_ERROR(open_store());
    logger_->info("scorer_loaded version={} step={} context_length={} store={}", version_.version, fields.step,
                  config_.context_length, options_.store_path.empty() ? "(none)" : options_.store_path.string());
    return Status::ok();
  }

  Result<std::vector<std::vector<float>>> score_batch(std::span<const ScoreRequest> requests, ScoreStats* stats) {
    for (const ScoreRequest& request : requests) {
      if (request.candidates.empty()) return Status::invalid_argument("score: no candidates");
    }
    std::lock_guard lock(mu_);
    if (store_ && options_.follow_store) BAHED_RETURN_IF_ERROR(store_->try_catch_up());
    const size_t n = static_cast<size_t>(config_.context_length);
    // One table for every request: each distinct (feature, text) once.
    std::vector<BehaviorRef> refs;
    std::unordered_map<std::string, int64_t> index_of;
    auto table_id = [&](const std::string& feature, const std::string& raw_text) -> Result<int64_t> {
      std::string text = encoder::normalize_behavior_text(raw_text);
      if (text.empty()) return Status::invalid_argument("score: a behavior or candidate text is empty");
      std::string key = feature;
      key.push_back('\0');
      key += text;
      const auto [it, inserted] = index_of.emplace(std::move(key), static_cast<int64_t>(refs.size()));
      if (inserted) refs.push_back({feature, std::move(text)});
      return it->second;
    };
    std::vector<trainer::RowSpec> rows;
    for (const ScoreRequest& request : requests) {
      const size_t first = request.history.size() > n ? request.history.size() - n : 0;
      trainer::RowSpec history;
      for (size_t i = first; i < request.history.size(); ++i) {
        const ScoreBehavior& b = request.history[i];
        BAHED_ASSIGN_OR_RETURN(int64_t id, table_id(b.feature, b.text));
        history.behaviors.push_back(id);
        history.actions.push_back(b.action);
      }
      // Every candidate sees the whole (last n) history and itself, as a
      // target does in training; rows of kCandidatesPerRow bound a row's length.
      const auto n_history = static_cast<int64_t>(history.behaviors.size());
      for (size_t begin = 0; begin < request.candidates.size(); begin += kCandidatesPerRow) {
        trainer::RowSpec row = history;
        const size_t end = std::min(request.candidates.size(), begin + kCandidatesPerRow);
        for (size_t c = begin; c < end; ++c) {
          BAHED_ASSIGN_OR_RETURN(int64_t id, table_id(options_.item_feature, request.candidates[c]));
          row.targets.push_back({id, 0.0f, 0, n_history});
        }
        rows.push_back(std::move(row));
      }
    }
    BAHED_ASSIGN_OR_RETURN(torch::Tensor vectors, vectors_of(refs, stats));
    try {
      const trainer::EvalReport report = trainer_->evaluate(rows, vectors);
      // Logits come in row order then target order: each request's
      // candidates, in order, one request after another.
      std::vector<std::vector<float>> out;
      size_t next = 0;
      for (const ScoreRequest& request : requests) {
        std::vector<float>& p = out.emplace_back(request.candidates.size());
        for (float& v : p) v = 1.0f / (1.0f + std::exp(-report.logits.at(next++)));
      }
      return out;
    } catch (const std::out_of_range&) {
      return Status::internal("scoring: the model returned fewer scores than candidates");
    } catch (const c10::Error& e) {
      return Status::internal(std::string("scoring: ") + e.what_without_backtrace());
    }
  }

  Result<std::vector<ScoreBehavior>> user_history(const std::string& user) {
    if (!store_) return Status::invalid_argument("user_history: the scorer has no store (ScorerOptions::store_path)");
    std::lock_guard lock(mu_);
    if (options_.follow_store) BAHED_RETURN_IF_ERROR(store_->try_catch_up());
    BAHED_ASSIGN_OR_RETURN(auto entries, store_->read_history(user, static_cast<size_t>(config_.context_length)));
    std::vector<encoder::Hash128> hashes;
    for (const auto& e : entries) hashes.push_back(e.behavior);
    BAHED_ASSIGN_OR_RETURN(auto texts, store_->multi_get_texts(hashes));
    std::vector<ScoreBehavior> out;
    for (size_t i = 0; i < entries.size(); ++i) {
      if (!texts[i]) continue;  // never happens for entries the daemon wrote (text with the first vector)
      out.push_back({texts[i]->feature, texts[i]->text, entries[i].action});
    }
    return out;
  }

  const VersionInfo& version() const { return version_; }
  int64_t context_length() const { return config_.context_length; }

 private:
  struct BehaviorRef {
    std::string feature;
    std::string text;  // normalized
  };

  Status open_store() {
    encoder::StoreOptions store_options = store_options_;
    store_options.path = options_.store_path.string();
    const encoder::EncoderSpec spec{text_encoder_->fingerprint(), text_encoder_->dimension()};
    if (options_.follow_store) {
      const std::string secondary =
          options_.secondary_path.empty() ? options_.store_path.string() + ".scorer" : options_.secondary_path.string();
      BAHED_ASSIGN_OR_RETURN(store_, encoder::BehaviorStore::open_secondary(store_options, secondary, spec, clock_));
    } else {
      BAHED_ASSIGN_OR_RETURN(store_, encoder::BehaviorStore::open_read_only(store_options, spec, clock_));
    }
    store_options_ = store_options;
    return Status::ok();
  }

  // [refs.size(), hidden] on the model's device: stored vectors where the
  // store has them, else encoded and rounded to the store's dtype, as the
  // daemon's encoder hands them to the trainer.
  Result<torch::Tensor> vectors_of(const std::vector<BehaviorRef>& refs, ScoreStats* stats) {
    const uint32_t dim = text_encoder_->dimension();
    std::vector<float> table(refs.size() * dim);
    std::vector<size_t> misses;
    if (store_) {
      std::vector<encoder::BehaviorKey> keys;
      for (const auto& r : refs) keys.push_back({text_encoder_->fingerprint(), encoder::hash_behavior(r.feature, r.text)});
      BAHED_ASSIGN_OR_RETURN(auto found, store_->multi_get_vectors(keys));
      for (size_t i = 0; i < refs.size(); ++i) {
        if (found[i].found) {
          std::copy(found[i].values.begin(), found[i].values.end(), table.begin() + static_cast<ptrdiff_t>(i * dim));
        } else {
          misses.push_back(i);
        }
      }
    } else {
      for (size_t i = 0; i < refs.size(); ++i) misses.push_back(i);
    }
    if (!misses.empty()) {
      std::vector<std::string> texts;
      for (size_t i : misses) texts.push_back(refs[i].text);
      BAHED_ASSIGN_OR_RETURN(std::vector<float> values, text_encoder_->encode(texts));
      for (size_t m = 0; m < misses.size(); ++m) {
        for (uint32_t d = 0; d < dim; ++d) {
          table[misses[m] * dim + d] = encoder::round_to_vector_dtype(values[m * dim + d], store_options_.vector_dtype);
        }
      }
    }
    if (stats) {
      stats->store_hits += static_cast<int64_t>(refs.size() - misses.size());
      stats->encoded += static_cast<int64_t>(misses.size());
    }
    const auto& model = trainer_->model();
    return torch::from_blob(table.data(), {static_cast<int64_t>(refs.size()), static_cast<int64_t>(dim)}, torch::kFloat32)
        .to(model->device(), model->dtype(), /*non_blocking=*/false, /*copy=*/true);
  }

  const ScorerOptions options_;
  Logger logger_;
  SystemClock clock_;
  VersionInfo version_;
  PublishedModelConfig config_;
  std::unique_ptr<encoder::ShallowTextEncoder> text_encoder_;
  std::unique_ptr<trainer::Trainer> trainer_;
  encoder::StoreOptions store_options_;  // vector_dtype: how encoded vectors are rounded
  std::mutex mu_;
  std::unique_ptr<encoder::BehaviorStore> store_;  // guarded by mu_ (reads, catch-up)
};

Result<std::unique_ptr<CtrScorer>> CtrScorer::open(const ScorerOptions& options, Logger logger) {
  auto impl = std::make_unique<Impl>(options, std::move(logger));
  BAHED_RETURN_IF_ERROR(impl->open());
  return std::unique_ptr<CtrScorer>(new CtrScorer(std::move(impl)));
}

CtrScorer::CtrScorer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CtrScorer::~CtrScorer() = default;
Result<std::vector<float>> CtrScorer::score(const ScoreRequest& request, ScoreStats* stats) {
  BAHED_ASSIGN_OR_RETURN(auto scores, impl_->score_batch(std::span<const ScoreRequest>(&request, 1), stats));
  return std::move(scores.front());
}
Result<std::vector<std::vector<float>>> CtrScorer::score_batch(std::span<const ScoreRequest> requests,
                                                               ScoreStats* stats) {
  return impl_->score_batch(requests, stats);
}
Result<std::vector<ScoreBehavior>> CtrScorer::user_history(const std::string& user) { return impl_->user_history(user); }
const VersionInfo& CtrScorer::version() const { return impl_->version(); }
int64_t CtrScorer::context_length() const { return impl_->context_length(); }

}  // namespace bahed::checkpoints
