#include "encoder/llm/llama_model.h"

#include "encoder/llm/attention.h"

namespace bahed::encoder {
namespace {

// Checks right-padded token batches: ids [batch, tokens] int64, lengths [batch] in [1, tokens].
void check_token_batch(const torch::Tensor& token_ids, const torch::Tensor& lengths, int64_t n_vocab) {
  TORCH_CHECK(token_ids.dim() == 2 && token_ids.scalar_type() == torch::kInt64,
              "token_ids must be [batch, tokens] int64, got ", token_ids.sizes(), " ", token_ids.scalar_type());
  TORCH_CHECK(lengths.dim() == 1 && lengths.size(0) == token_ids.size(0) && lengths.scalar_type() == torch::kInt64,
              "lengths must be [batch] int64, got ", lengths.sizes());
  TORCH_CHECK(token_ids.size(0) > 0 && token_ids.size(1) > 0, "empty token batch ", token_ids.sizes());
  TORCH_CHECK(lengths.min().item<int64_t>() >= 1 && lengths.max().item<int64_t>() <= token_ids.size(1),
              "lengths must lie in [1, ", token_ids.size(1), "]");
  TORCH_CHECK(token_ids.min().item<int64_t>() >= 0 && token_ids.max().item<int64_t>() < n_vocab,
              "token ids must lie in [0, ", n_vocab, ")");
}

torch::Tensor token_positions(const torch::Tensor& token_ids) {
  const int64_t tokens = token_ids.size(1);
  return torch::arange(tokens, torch::TensorOptions().dtype(torch::kInt64).device(token_ids.device()))
      .unsqueeze(0)
      .expand({token_ids.size(0), tokens});
}

}  // namespace

LlamaModelImpl::LlamaModelImpl(const ModelConfig& config, const LlmOptions& options)
    : config_(config), options_(options) {
  TORCH_CHECK(config.validate().is_ok(), "LlamaModel: invalid config: ", config.validate().to_string());
  TORCH_CHECK(options.n_layers_shallow >= 0 && options.n_layers_shallow <= config.n_layers,
              "LlamaModel: n_layers_shallow=", options.n_layers_shallow, " outside [0, ", config.n_layers, "]");
  TORCH_CHECK(!(options.train_lm_head && config.tie_word_embeddings),
              "LlamaModel: train_lm_head needs untied embeddings (a tied lm_head is the frozen embedding table)");
  model_ = register_module("model", std::make_shared<torch::nn::Module>("LlamaBackbone"));
  embed_tokens_ = model_->register_module(
      "embed_tokens", torch::nn::Embedding(torch::nn::EmbeddingOptions(config.n_vocab, config.hidden_size)));
  layers_ = model_->register_module("layers", torch::nn::ModuleList());
  for (int64_t il = 0; il < config.n_layers; ++il) {
    layer_list_.push_back(DecoderLayer(config));
    layers_->push_back(layer_list_.back());
  }
  norm_ = model_->register_module("norm", RmsNorm(config.hidden_size, config.rms_norm_eps));
  rotary_emb_ = model_->register_module("rotary_emb", RotaryEmbedding(config));
  {
    torch::NoGradGuard no_grad;
    embed_tokens_->weight.normal_(0.0, config.initializer_range);
  }
  if (!config.tie_word_embeddings) {
    lm_head_ = register_module("lm_head",
                               make_hf_linear(config.hidden_size, config.n_vocab, false, config.initializer_range));
  }
}

torch::Tensor LlamaModelImpl::embed(const torch::Tensor& token_ids) { return embed_tokens_(token_ids); }

torch::Tensor LlamaModelImpl::run_layers(const torch::Tensor& hidden, const torch::Tensor& positions,
                                         const AttentionMask& mask, int64_t begin, int64_t end) {
  TORCH_CHECK(hidden.dim() == 3 && hidden.size(2) == config_.hidden_size, "expected hidden [batch, seq, ",
              config_.hidden_size, "], got ", hidden.sizes());
  TORCH_CHECK(positions.dim() == 2 && positions.size(0) == hidden.size(0) && positions.size(1) == hidden.size(1),
              "positions must be [batch, seq] = [", hidden.size(0), ", ", hidden.size(1), "], got ",
              positions.sizes());
  TORCH_CHECK(hidden.scalar_type() == dtype(), "hidden states are ", hidden.scalar_type(), " but the model is ",
              dtype());
  TORCH_CHECK(0 <= begin && begin <= end && end <= config_.n_layers, "layer range [", begin, ", ", end,
              ") outside [0, ", config_.n_layers, "]");
  if (begin == end) return hidden;
  // Tables are shared by all layers of one call.
  const RotaryTables rope = rotary_emb_(positions, hidden.scalar_type());
  torch::Tensor h = hidden;
  for (int64_t il = begin; il < end; ++il) h = layer_list_[static_cast<size_t>(il)](h, rope, mask);
  return h;
}

torch::Tensor LlamaModelImpl::shallow_hidden(const torch::Tensor& token_ids, const torch::Tensor& lengths) {
  check_token_batch(token_ids, lengths, config_.n_vocab);
  torch::NoGradGuard no_grad;  // frozen: never part of a training graph
  AttentionMask mask;
  mask.key_lengths = lengths;
  return run_layers(embed(token_ids), token_positions(token_ids), mask, 0, options_.n_layers_shallow);
}

torch::Tensor LlamaModelImpl::pool(const torch::Tensor& hidden, const torch::Tensor& lengths) const {
  TORCH_CHECK(hidden.dim() == 3 && lengths.dim() == 1 && lengths.size(0) == hidden.size(0),
              "pool: hidden [batch, tokens, hidden] ", hidden.sizes(), " and lengths [batch] ", lengths.sizes());
  const torch::Tensor len = lengths.to(hidden.device(), torch::kInt64);
  if (options_.pooling == Pooling::kLastToken) {
    const torch::Tensor rows = torch::arange(hidden.size(0), len.options());
    return hidden.index({rows, len - 1});
  }
  const torch::Tensor index = torch::arange(hidden.size(1), len.options());
  const torch::Tensor real = index.unsqueeze(0).lt(len.unsqueeze(1)).unsqueeze(-1).to(hidden.scalar_type());
  // Sum in float32 so long bf16 behaviors do not lose the small terms.
  const torch::Tensor sum = (hidden.to(torch::kFloat32) * real.to(torch::kFloat32)).sum(1);
  return (sum / len.unsqueeze(1).to(torch::kFloat32)).to(hidden.scalar_type());
}

torch::Tensor LlamaModelImpl::shallow(const torch::Tensor& token_ids, const torch::Tensor& lengths) {
  torch::NoGradGuard no_grad;
  return pool(shallow_hidden(token_ids, lengths), lengths);
}

torch::Tensor LlamaModelImpl::deep(const torch::Tensor& hidden, const torch::Tensor& positions,
                                   const AttentionMask& mask) {
  return norm_(run_layers(hidden, positions, mask, options_.n_layers_shallow, config_.n_layers));
}

torch::Tensor LlamaModelImpl::logits(const torch::Tensor& normed) {
  TORCH_CHECK(normed.dim() >= 1 && normed.size(-1) == config_.hidden_size, "logits: expected [..., ",
              config_.hidden_size, "], got ", normed.sizes());
  if (lm_head_) return lm_head_(normed);
  return torch::nn::functional::linear(normed, embed_tokens_->weight);
}

torch::Tensor LlamaModelImpl::forward_tokens(const torch::Tensor& token_ids, const torch::Tensor& lengths) {
  check_token_batch(token_ids, lengths, config_.n_vocab);
  AttentionMask mask;
  mask.key_lengths = lengths;
  const torch::Tensor h = run_layers(embed(token_ids), token_positions(token_ids), mask, 0, config_.n_layers);
  return logits(norm_(h));
}

std::vector<torch::Tensor> LlamaModelImpl::deep_parameters() {
  std::vector<torch::Tensor> out;
  for (int64_t il = options_.n_layers_shallow; il < config_.n_layers; ++il) {
    for (const torch::Tensor& p : layer_list_[static_cast<size_t>(il)]->parameters()) out.push_back(p);
  }
  for (const torch::Tensor& p : norm_->parameters()) out.push_back(p);
  if (options_.train_lm_head && lm_head_) {
    for (const torch::Tensor& p : lm_head_->parameters()) out.push_back(p);
  }
  return out;
}

torch::ScalarType LlamaModelImpl::dtype() const { return embed_tokens_->weight.scalar_type(); }

torch::Device LlamaModelImpl::device() const { return embed_tokens_->weight.device(); }

}  // namespace bahed::encoder
