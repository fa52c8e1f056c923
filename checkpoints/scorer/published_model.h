#pragma once
// What a published version holds besides the manifest's generic fields: the
// CTR model's trained tensors (model.safetensors) and the settings that
// rebuild the same model around them (manifest "model_config"). Written by
// the daemon at each publication, read by the scorer.
//
// model.safetensors: float32 tensors named as the CtrModel registers them
// ("llm.model.layers.4.self_attn.q_proj.weight", "llm.model.norm.weight",
// "sum_vector", "action_embedding", "head.fc1.weight", ...): the deep
// layers, the final norm and everything the CTR model adds. Frozen tensors
// (embeddings, shallow layers) are the base model's, which the reader loads
// itself (the manifest's base_model_fingerprint names it).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "encoder/llm/llama_model.h"
#include "trainer/ctr_trainer.h"

namespace bahed::checkpoints {

// The manifest's model_config: the base model's shape and split, and the
// trainer options that shape the CTR model and its rows.
struct PublishedModelConfig {
  int64_t hidden_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t n_layers_shallow = 0;
  int64_t context_length = 0;      // n: behaviors a target sees
  int64_t n_targets_per_row = 0;   // k (training only)
  std::string granularity;         // "behavior" or "token"
  std::string position_scheme;     // "alibi" or "rotary"
  double forgetting = 0;
  int64_t n_head_hidden = 0;
  bool fused_target_slot = true;
};

PublishedModelConfig published_model_config(const encoder::LlamaModel& base, const trainer::TrainerOptions& options);
// Compact JSON object (the manifest stores it minified).
std::string to_json(const PublishedModelConfig& config);
// Strict: every key above present with its type; unknown keys are allowed
// (later versions may add some). Corruption naming the key otherwise.
Result<PublishedModelConfig> parse_published_model_config(std::string_view json);
// The trainer options that rebuild the published model (optimizer settings
// at their defaults: a scorer never steps).
Result<trainer::TrainerOptions> trainer_options_of(const PublishedModelConfig& config);

[[nodiscard]] Status write_model_safetensors(trainer::CtrModel& model, const std::filesystem::path& file);

// Copies a published file's tensors into `model`'s trainable parameters.
// Corruption (naming the tensor) when one is missing, extra, not float32 or
// of another shape; the model may then be partly overwritten.
[[nodiscard]] Status read_model_safetensors(const std::filesystem::path& file, trainer::CtrModel& model);

}  // namespace bahed::checkpoints
