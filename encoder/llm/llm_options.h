#pragma once
// LlmOptions: how the encoder's LLM is loaded and split. YAML keys under
// `encoder.` use the same spelling (`encoder.n_layers_shallow`).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace bahed::encoder {

// How shallow token states become one behavior vector.
enum class Pooling {
  kMean,       // "mean": average over the real (unpadded) tokens
  kLastToken,  // "last_token": the state of the last real token
};

std::string_view pooling_name(Pooling pooling);
std::optional<Pooling> parse_pooling(std::string_view name);

struct LlmOptions {
  // Hugging Face model directory (config.json, model.safetensors or a sharded
  // index). Required. Default: "".
  std::string model_dir;
  // Layers [0, n_layers_shallow) are frozen and produce behavior vectors;
  // the rest are trained. More shallow layers make vectors richer and the
  // trained part cheaper, but leave less to adapt. Must not exceed the
  // model's num_hidden_layers (checked at load). Default: 4.
  int64_t n_layers_shallow = 4;
  // Pooling of shallow token states into one vector. Default: kMean.
  Pooling pooling = Pooling::kMean;
  // Compute dtype: "float32", "bfloat16" or "float16". Weights are converted
  // at load. float16 needs CUDA (LibTorch's CPU kernels lack it); bfloat16
  // works on CPU but is slower there than float32. Default: "float32".
  std::string dtype = "float32";
  // "cpu", "cuda" or "cuda:<index>". Default: "cpu".
  std::string device = "cpu";
  // Hand lm_head to the optimizer too (deep_parameters()); refused for tied
  // embeddings, where lm_head is the frozen embedding table. Default: false.
  bool train_lm_head = false;

  Status validate() const;
};

}  // namespace bahed::encoder
