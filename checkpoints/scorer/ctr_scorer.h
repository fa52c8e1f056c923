#pragma once
// bahed_scorer's public header: scoring with a published version, for
// serving systems (design.md "Checkpoint consumers").
//
// open() verifies the version (every file's size and sha256, the manifest),
// loads the base model named by options.llm, checks that its fingerprints
// equal the manifest's (the deep layers were trained from these weights, on
// vectors of this encoder), rebuilds the CTR model from the manifest's
// model_config and loads model.safetensors into it.
//
// score() takes a user's history (behavior texts, oldest first, each with the
// action of a past impression) and candidate item texts, and returns one
// click probability per candidate. Each candidate sees exactly the last n
// behaviors of the history and itself, as a target does in training, so the
// probabilities equal the trainer's evaluation for the same inputs. Behavior
// vectors come from the daemon's store when it is given (read-only, or a
// secondary instance following the daemon's writes); behaviors it lacks are
// encoded by the same frozen shallow layers (and not written back).
//
// Thread safety: score() and user_history() may be called from several
// threads; they are serialized inside (one CPU model).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "checkpoints/version_verifier.h"
#include "common/behavior_action.h"
#include "common/logger.h"
#include "common/result.h"
#include "encoder/llm/llm_options.h"
#include "encoder/shallow_encoder_options.h"
#include "encoder/store/store_options.h"

namespace bahed::checkpoints {

struct ScorerOptions {
  // The daemon's checkpoints.publish_dir. Required.
  std::filesystem::path publish_dir;
  // Version to load; 0 loads the newest valid one (LATEST, or the newest
  // older one that verifies). Default: 0.
  int64_t version = 0;
  // The base model the daemon runs (encoder.model_dir, dtype, device);
  // n_layers_shallow and pooling must be the daemon's. Default: the
  // daemon's defaults.
  encoder::LlmOptions llm;
  encoder::ShallowEncoderOptions shallow;
  // The daemon's store.path; empty: every behavior is encoded from its
  // text. Default: "".
  std::filesystem::path store_path;
  // Open the store as a RocksDB secondary instance that catches up with the
  // running daemon's writes (else read-only, for a stopped daemon's store or
  // a copy). Default: false.
  bool follow_store = false;
  // Where a secondary instance keeps its own files. Default: "" (a folder
  // next to the store, "<store>.scorer").
  std::filesystem::path secondary_path;
  // How the daemon's store keeps vectors (store.vector_dtype): behaviors the
  // scorer encodes itself are rounded the same way. Default: kBf16.
  encoder::VectorDtype vector_dtype = encoder::VectorDtype::kBf16;
  // The feature of item texts, as the daemon's encoder.item_feature.
  // Default: "item".
  std::string item_feature = "item";

  Status validate() const;
};

// One behavior of a history, oldest first.
struct ScoreBehavior {
  std::string feature = "default";
  std::string text;
  // What the user did, for a past impression (whose text is its item's and
  // feature the item feature); kNone for other behaviors.
  BehaviorAction action = BehaviorAction::kNone;
};

struct ScoreRequest {
  std::vector<ScoreBehavior> history;   // only the last n are used
  std::vector<std::string> candidates;  // item texts
};

// How a score() found its vectors.
struct ScoreStats {
  int64_t store_hits = 0;
  int64_t encoded = 0;
};

class CtrScorer {
 public:
  // Verifies and loads; errors name the file or setting at fault
  // (Corruption for a version that does not verify or whose tensors do not
  // fit, InvalidArgument for a base model or options that do not match it,
  // NotFound when nothing is published).
  static Result<std::unique_ptr<CtrScorer>> open(const ScorerOptions& options, Logger logger);
  ~CtrScorer();

  // One probability per candidate, in order. InvalidArgument for no
  // candidates or an empty text.
  Result<std::vector<float>> score(const ScoreRequest& request, ScoreStats* stats = nullptr);
  // Several users in one forward pass (a row per user and up to 128
  // candidates): per request, what score() would return for it. Texts
  // shared by requests (popular candidates) are looked up or encoded once.
  // Fails as score() does, for the first bad request.
  Result<std::vector<std::vector<float>>> score_batch(std::span<const ScoreRequest> requests,
                                                      ScoreStats* stats = nullptr);
  // The user's stored history as score() takes it (texts from the store),
  // oldest first, the last n; empty for an unknown user (the documented
  // fallback: scores from the candidates alone). FailedPrecondition-like
  // InvalidArgument when no store was given.
  Result<std::vector<ScoreBehavior>> user_history(const std::string& user);

  const VersionInfo& version() const;
  int64_t context_length() const;

 private:
  class Impl;
  explicit CtrScorer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bahed::checkpoints
