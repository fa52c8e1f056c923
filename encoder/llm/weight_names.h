#pragma once
// The one table from bahed's parameters to Hugging Face tensor names and
// shapes. The modules register their parameters under exactly these names
// (LlamaModel's named_parameters() equals this list), so the names are a file
// format: changing one breaks every checkpoint. The loader checks every
// tensor against this table, like llama.cpp's check_tensor_dims.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "encoder/llm/model_config.h"

namespace bahed::encoder {

struct WeightSpec {
  std::string name;            // e.g. "model.layers.3.self_attn.q_proj.weight"
  std::vector<int64_t> shape;  // e.g. {n_heads * head_dim, hidden_size}
};

// Every tensor a checkpoint of `config` must hold, in a stable order
// (embeddings, layer by layer, final norm, lm_head). Biases appear only when
// the config enables them; lm_head.weight only when embeddings are untied.
std::vector<WeightSpec> expected_weights(const ModelConfig& config);

// Tensors some Hugging Face checkpoints carry that are not parameters and
// that loading may skip: rotary "inv_freq" buffers (older Llama exports), and
// lm_head.weight when embeddings are tied (it is a copy of embed_tokens).
bool is_ignorable_weight(std::string_view name, const ModelConfig& config);

// "[a, b]" for messages.
std::string shape_to_string(const std::vector<int64_t>& shape);

}  // namespace bahed::encoder
