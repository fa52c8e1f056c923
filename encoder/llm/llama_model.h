#pragma once
// LlamaModel: a Llama/Qwen2 causal LM (Hugging Face's LlamaForCausalLM /
// Qwen2ForCausalLM) split the BAHE way:
//   shallow: embeddings + layers [0, n_layers_shallow), frozen, pooled into
//            one vector per atomic behavior;
//   deep:    layers [n_layers_shallow, n_layers) + final norm, trained, over a
//            sequence of behavior vectors with caller-given positions and mask.
// forward_tokens runs everything over tokens (pretraining, perplexity).
//
// Parameter names equal Hugging Face's ("model.layers.0.self_attn.q_proj.weight",
// see weight_names.h), so named_parameters() is the checkpoint layout.
// Thread safety: like any torch module, not safe to call concurrently with
// training steps; concurrent inference-only calls are safe.
#include <torch/torch.h>

#include <vector>

#include "encoder/llm/attention.h"
#include "encoder/llm/decoder_layer.h"
#include "encoder/llm/llm_options.h"
#include "encoder/llm/model_config.h"
#include "encoder/llm/rms_norm.h"
#include "encoder/llm/rotary_embedding.h"

namespace bahed::encoder {

class LlamaModelImpl : public torch::nn::Module {
 public:
  // Fresh weights (Hugging Face's init: normal(0, initializer_range), norms
  // one, biases zero) on the CPU in float32; move with to(device, dtype).
  // Uses options.n_layers_shallow (must be <= config.n_layers) and pooling.
  LlamaModelImpl(const ModelConfig& config, const LlmOptions& options);

  // Token states after the shallow layers, without gradients.
  //   token_ids: [batch, tokens] int64, right-padded; lengths: [batch] int64 in [1, tokens].
  // Returns [batch, tokens, hidden]; padded positions hold unspecified values.
  torch::Tensor shallow_hidden(const torch::Tensor& token_ids, const torch::Tensor& lengths);
  // Pooled behavior vectors: pool(shallow_hidden(...)). Returns [batch, hidden].
  torch::Tensor shallow(const torch::Tensor& token_ids, const torch::Tensor& lengths);
  // hidden: [batch, tokens, hidden], lengths: [batch] -> [batch, hidden] by options().pooling.
  torch::Tensor pool(const torch::Tensor& hidden, const torch::Tensor& lengths) const;

  // The trainable part: layers [n_layers_shallow, n_layers) then the final norm.
  //   hidden: [batch, seq, hidden_size] input states (e.g. behavior vectors);
  //   positions: [batch, seq] rotary positions (virtual positions allowed);
  //   mask: causal / padding / additive bias, see AttentionMask.
  // Returns [batch, seq, hidden_size].
  torch::Tensor deep(const torch::Tensor& hidden, const torch::Tensor& positions, const AttentionMask& mask);

  // Full causal forward to next-token logits.
  //   token_ids: [batch, tokens] int64 right-padded; lengths: [batch] in [1, tokens].
  // Returns [batch, tokens, vocab]; rows past a sequence's length are unspecified.
  torch::Tensor forward_tokens(const torch::Tensor& token_ids, const torch::Tensor& lengths);

  // Final-norm states [..., hidden] -> logits [..., vocab] (tied or not).
  torch::Tensor logits(const torch::Tensor& normed);
  // token_ids [batch, tokens] -> [batch, tokens, hidden].
  torch::Tensor embed(const torch::Tensor& token_ids);
  // Runs layers [begin, end) (no final norm); shapes as in deep().
  torch::Tensor run_layers(const torch::Tensor& hidden, const torch::Tensor& positions, const AttentionMask& mask,
                           int64_t begin, int64_t end);

  // What the optimizer gets: deep layers, the final norm, and lm_head when
  // options().train_lm_head. Shallow layers and embeddings never appear.
  std::vector<torch::Tensor> deep_parameters();

  const ModelConfig& config() const { return config_; }
  const LlmOptions& options() const { return options_; }
  // Dtype and device of the weights.
  torch::ScalarType dtype() const;
  torch::Device device() const;

 private:
  ModelConfig config_;
  LlmOptions options_;
  // Hugging Face nests the backbone under "model."; this plain module gives
  // the parameters that prefix and holds embed_tokens, layers, norm, rotary_emb.
  std::shared_ptr<torch::nn::Module> model_ = nullptr;
  torch::nn::Embedding embed_tokens_ = nullptr;
  torch::nn::ModuleList layers_ = nullptr;
  std::vector<DecoderLayer> layer_list_;  // typed views of layers_
  RmsNorm norm_ = nullptr;
  RotaryEmbedding rotary_emb_ = nullptr;
  // nullptr when tie_word_embeddings (logits use embed_tokens.weight).
  torch::nn::Linear lm_head_ = nullptr;
};
TORCH_MODULE(LlamaModel);

}  // namespace bahed::encoder
