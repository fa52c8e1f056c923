#pragma once
// ModelConfig: the hyperparameters of a Llama/Qwen2-family decoder, read from
// and written to a Hugging Face config.json unchanged in meaning. Field names
// follow bahed's naming (counts start n_); the JSON keys are Hugging Face's
// and are named in each comment, so error messages can cite them.
//
// Thread safety: a plain value; copy freely.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace bahed::encoder {

// Which Hugging Face architecture the weights follow. They differ only in
// defaults and in which projections carry biases.
enum class ModelArch {
  kLlama,  // "llama": LlamaForCausalLM
  kQwen2,  // "qwen2": Qwen2ForCausalLM (q/k/v biases always on)
};

std::string_view model_arch_name(ModelArch arch);

// How rotary frequencies are rescaled for contexts longer than training.
enum class RopeScalingType {
  kNone,    // plain RoPE ("default" or no rope_scaling)
  kLinear,  // positions divided by `factor` (position interpolation)
  kLlama3,  // Llama 3.1+: low frequencies divided by `factor`, a smooth band between
};

// "rope_scaling" in config.json.
struct RopeScaling {
  // "rope_type" (or the older "type"). Default: kNone.
  RopeScalingType type = RopeScalingType::kNone;
  // "factor": how much longer the context is than the original one. Default: 1.
  double factor = 1.0;
  // "low_freq_factor" (llama3): wavelengths above original/low_freq_factor are
  // fully scaled. Default: 1.
  double low_freq_factor = 1.0;
  // "high_freq_factor" (llama3): wavelengths below original/high_freq_factor are
  // kept. Default: 4.
  double high_freq_factor = 4.0;
  // "original_max_position_embeddings" (llama3): the pre-extension context.
  // Default: 8192.
  int64_t original_max_position_embeddings = 8192;
};

struct ModelConfig {
  // "model_type": "llama" or "qwen2". Default: kLlama.
  ModelArch arch = ModelArch::kLlama;
  // "hidden_size": width of the residual stream. Required.
  int64_t hidden_size = 0;
  // "intermediate_size": width of the SwiGLU hidden layer. Required.
  int64_t intermediate_size = 0;
  // "num_hidden_layers". Required.
  int64_t n_layers = 0;
  // "num_attention_heads": query heads. Required.
  int64_t n_heads = 0;
  // "num_key_value_heads": key/value heads (grouped-query attention).
  // Default: n_heads (plain multi-head attention), as in Hugging Face.
  int64_t n_kv_heads = 0;
  // "head_dim": per-head width when it is not hidden_size / n_heads (some
  // Llama 3.2 variants). 0 means derived; read it through head_dim(). Default: 0.
  int64_t explicit_head_dim = 0;
  // "vocab_size": rows of embed_tokens and lm_head. Required.
  int64_t n_vocab = 0;
  // "max_position_embeddings": the trained context; informational here, as
  // positions are passed explicitly. Default: 2048 (llama), 32768 (qwen2).
  int64_t max_position_embeddings = 2048;
  // "rms_norm_eps". Default: 1e-6.
  double rms_norm_eps = 1e-6;
  // "rope_theta": RoPE base. Default: 10000.
  double rope_theta = 10000.0;
  // "rope_scaling". Default: none.
  RopeScaling rope_scaling;
  // "tie_word_embeddings": lm_head reuses embed_tokens.weight (no lm_head.weight
  // tensor is stored). Default: false.
  bool tie_word_embeddings = false;
  // q/k/v projections carry biases. "attention_bias" for llama (which then also
  // biases o_proj); always true for qwen2, which has no such key. Default: false.
  bool attention_bias = false;
  // "mlp_bias" (llama): gate/up/down projections carry biases. Default: false.
  bool mlp_bias = false;
  // "initializer_range": std of the normal init of fresh weights. Default: 0.02.
  double initializer_range = 0.02;
  // "torch_dtype": dtype the weights were saved in ("float32", "bfloat16",
  // "float16"); informational, the loader converts. Default: "float32".
  std::string torch_dtype = "float32";
  // "bos_token_id"; absent or null leaves it empty. Default: none.
  std::optional<int64_t> bos_token_id;
  // "eos_token_id": one id or a list (Llama 3 lists several). Default: empty.
  std::vector<int64_t> eos_token_ids;

  // Per-head width: "head_dim" if given, else hidden_size / n_heads.
  int64_t head_dim() const { return explicit_head_dim > 0 ? explicit_head_dim : hidden_size / n_heads; }
  // Query heads per key/value head.
  int64_t n_gqa() const { return n_heads / n_kv_heads; }
  // o_proj carries a bias only in Llama with attention_bias; Qwen2's does not.
  bool o_proj_bias() const { return arch == ModelArch::kLlama && attention_bias; }

  // Checks ranges and divisibility; the message names the config.json key.
  Status validate() const;
};

// Parses config.json text. Unknown keys are ignored (configs carry many);
// unsupported features (another model_type, hidden_act, rope type, sliding
// window) are refused with the key named.
Result<ModelConfig> parse_model_config(std::string_view json);
// Reads and parses `<path>` (a config.json file).
Result<ModelConfig> load_model_config(const std::filesystem::path& path);
// Serializes to config.json text that Hugging Face transformers loads.
std::string model_config_to_json(const ModelConfig& config);
// Writes config.json text to `path` and fsyncs it.
Status save_model_config(const ModelConfig& config, const std::filesystem::path& path);

}  // namespace bahed::encoder
