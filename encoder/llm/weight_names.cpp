#include "encoder/llm/weight_names.h"

namespace bahed::encoder {
namespace {

using Shape = std::vector<int64_t>;

struct WeightRow {
  // "%d" stands for the layer index in per-layer rows.
  std::string_view name;
  bool (*present)(const ModelConfig&);
  Shape (*shape)(const ModelConfig&);
};

bool always(const ModelConfig&) { return true; }
bool qkv_bias(const ModelConfig& c) { return c.attention_bias; }
bool o_bias(const ModelConfig& c) { return c.o_proj_bias(); }
bool mlp_bias(const ModelConfig& c) { return c.mlp_bias; }
bool untied(const ModelConfig& c) { return !c.tie_word_embeddings; }

Shape q_out(const ModelConfig& c) { return {c.n_heads * c.head_dim()}; }
Shape kv_out(const ModelConfig& c) { return {c.n_kv_heads * c.head_dim()}; }
Shape hidden(const ModelConfig& c) { return {c.hidden_size}; }
Shape ff(const ModelConfig& c) { return {c.intermediate_size}; }
Shape vocab_by_hidden(const ModelConfig& c) { return {c.n_vocab, c.hidden_size}; }

// The table. Order: HF's module order, which is also registration order.
const WeightRow kGlobalHead[] = {
    {"model.embed_tokens.weight", always, vocab_by_hidden},
};
const WeightRow kPerLayer[] = {
    {"model.layers.%d.input_layernorm.weight", always, hidden},
    {"model.layers.%d.self_attn.q_proj.weight", always,
     [](const ModelConfig& c) { return Shape{c.n_heads * c.head_dim(), c.hidden_size}; }},
    {"model.layers.%d.self_attn.q_proj.bias", qkv_bias, q_out},
    {"model.layers.%d.self_attn.k_proj.weight", always,
     [](const ModelConfig& c) { return Shape{c.n_kv_heads * c.head_dim(), c.hidden_size}; }},
    {"model.layers.%d.self_attn.k_proj.bias", qkv_bias, kv_out},
    {"model.layers.%d.self_attn.v_proj.weight", always,
     [](const ModelConfig& c) { return Shape{c.n_kv_heads * c.head_dim(), c.hidden_size}; }},
    {"model.layers.%d.self_attn.v_proj.bias", qkv_bias, kv_out},
    {"model.layers.%d.self_attn.o_proj.weight", always,
     [](const ModelConfig& c) { return Shape{c.hidden_size, c.n_heads * c.head_dim()}; }},
    {"model.layers.%d.self_attn.o_proj.bias", o_bias, hidden},
    {"model.layers.%d.post_attention_layernorm.weight", always, hidden},
    {"model.layers.%d.mlp.gate_proj.weight", always,
     [](const ModelConfig& c) { return Shape{c.intermediate_size, c.hidden_size}; }},
    {"model.layers.%d.mlp.gate_proj.bias", mlp_bias, ff},
    {"model.layers.%d.mlp.up_proj.weight", always,
     [](const ModelConfig& c) { return Shape{c.intermediate_size, c.hidden_size}; }},
    {"model.layers.%d.mlp.up_proj.bias", mlp_bias, ff},
    {"model.layers.%d.mlp.down_proj.weight", always,
     [](const ModelConfig& c) { return Shape{c.hidden_size, c.intermediate_size}; }},
    {"model.layers.%d.mlp.down_proj.bias", mlp_bias, hidden},
};
const WeightRow kGlobalTail[] = {
    {"model.norm.weight", always, hidden},
    {"lm_head.weight", untied, vocab_by_hidden},
};

std::string with_layer(std::string_view pattern, int64_t layer) {
  std::string out(pattern);
  const size_t at = out.find("%d");
  if (at != std::string::npos) out.replace(at, 2, std::to_string(layer));
  return out;
}

}  // namespace

std::vector<WeightSpec> expected_weights(const ModelConfig& config) {
  std::vector<WeightSpec> out;
  auto add = [&](const WeightRow& row, int64_t layer) {
    if (row.present(config)) out.push_back({with_layer(row.name, layer), row.shape(config)});
  };
  for (const WeightRow& row : kGlobalHead) add(row, 0);
  for (int64_t il = 0; il < config.n_layers; ++il) {
    for (const WeightRow& row : kPerLayer) add(row, il);
  }
  for (const WeightRow& row : kGlobalTail) add(row, 0);
  return out;
}

bool is_ignorable_weight(std::string_view name, const ModelConfig& config) {
  constexpr std::string_view kInvFreq = ".rotary_emb.inv_freq";
  if (name.size() >= kInvFreq.size() && name.substr(name.size() - kInvFreq.size()) == kInvFreq) return true;
  return config.tie_word_embeddings && name == "lm_head.weight";
}

std::string shape_to_string(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

}  // namespace bahed::encoder
