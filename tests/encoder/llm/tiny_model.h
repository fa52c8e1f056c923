#pragma once
// Tiny random Llama/Qwen2 models for tests: configs that exercise every
// feature (GQA, biases, llama3 rope scaling, tied and untied heads) at sizes
// that run in milliseconds. Header-only test helper.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "encoder/llm/hf_checkpoint.h"
#include "encoder/llm/llama_model.h"
#include "encoder/llm/model_config.h"
#include "encoder/tokenizer/byte_tokenizer_json.h"

namespace bahed::encoder::llm_test {

// Llama 3 style: GQA 2, untied lm_head, llama3 rope scaling whose three
// frequency bands (kept, smoothed, scaled) all occur at head_dim 16.
inline ModelConfig tiny_llama_config() {
  ModelConfig c;
  c.arch = ModelArch::kLlama;
  c.hidden_size = 64;
  c.intermediate_size = 96;
  c.n_layers = 4;
  c.n_heads = 4;
  c.n_kv_heads = 2;
  c.n_vocab = 97;
  c.max_position_embeddings = 512;
  c.rms_norm_eps = 1e-5;
  c.rope_theta = 500000.0;
  c.rope_scaling = {RopeScalingType::kLlama3, 8.0, 1.0, 4.0, 64};
  c.tie_word_embeddings = false;
  c.bos_token_id = 1;
  c.eos_token_ids = {2, 3};
  return c;
}

// Qwen2 style: q/k/v biases, GQA 4 (one kv head), tied embeddings.
inline ModelConfig tiny_qwen2_config() {
  ModelConfig c;
  c.arch = ModelArch::kQwen2;
  c.hidden_size = 48;
  c.intermediate_size = 80;
  c.n_layers = 3;
  c.n_heads = 4;
  c.n_kv_heads = 1;
  c.n_vocab = 71;
  c.rms_norm_eps = 1e-6;
  c.rope_theta = 1000000.0;
  c.tie_word_embeddings = true;
  c.attention_bias = true;
  c.eos_token_ids = {70};
  return c;
}

// Llama with every optional bias, an explicit head_dim (not hidden/heads) and
// linear rope scaling.
inline ModelConfig tiny_biased_llama_config() {
  ModelConfig c = tiny_llama_config();
  c.n_layers = 2;
  c.explicit_head_dim = 8;
  c.attention_bias = true;
  c.mlp_bias = true;
  c.rope_scaling = {RopeScalingType::kLinear, 2.0, 1.0, 4.0, 8192};
  return c;
}

inline LlmOptions tiny_options(int64_t n_layers_shallow) {
  LlmOptions o;
  o.n_layers_shallow = n_layers_shallow;
  return o;
}

// Replaces Hugging Face's small init with larger random values (norm scales
// near 1, non-zero biases), so that every weight visibly moves the output.
inline void randomize_parameters(LlamaModel& model, uint64_t seed) {
  torch::manual_seed(seed);
  torch::NoGradGuard no_grad;
  for (auto& item : model->named_parameters()) {
    const std::string& name = item.key();
    torch::Tensor p = item.value();
    if (name.find("norm.weight") != std::string::npos) {
      p.copy_(1.0 + 0.2 * torch::randn_like(p));
    } else {
      p.normal_(0.0, 0.15);
    }
  }
}

// Random token ids [batch, tokens] and right-padded lengths.
inline torch::Tensor random_tokens(int64_t batch, int64_t tokens, int64_t n_vocab) {
  return torch::randint(0, n_vocab, {batch, tokens}, torch::kInt64);
}

// A random model (d=32, GQA 2, tied embeddings) with the byte-level
// tokenizer, written in the Hugging Face layout: what the daemon, the
// scorer and their tests load as a base model.
inline void write_tiny_byte_model(const std::filesystem::path& dir, uint64_t seed, int64_t n_layers) {
  ModelConfig c;
  c.hidden_size = 32;
  c.intermediate_size = 64;
  c.n_layers = n_layers;
  c.n_heads = 4;
  c.n_kv_heads = 2;
  c.n_vocab = kByteTokenizerVocabSize;
  c.max_position_embeddings = 256;
  c.tie_word_embeddings = true;
  c.bos_token_id = kByteTokenizerBos;
  c.eos_token_ids = {kByteTokenizerEos};
  torch::manual_seed(static_cast<int64_t>(seed));
  LlmOptions o;
  o.n_layers_shallow = 0;
  ASSERT_TRUE(save_hf_model(LlamaModel(c, o), dir).is_ok());
  std::ofstream(dir / "tokenizer.json") << byte_tokenizer_json();
  std::ofstream(dir / "tokenizer_config.json") << byte_tokenizer_config_json();
}

}  // namespace bahed::encoder::llm_test
