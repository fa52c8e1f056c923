#include "daemon/ctl/model/pretrain_options.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

namespace bahed::ctl {
namespace {

// Bumped whenever the corpus, tokenizer settings or training recipe change in
// a way the options do not show, so old caches and states are not reused.
constexpr int kRecipeVersion = 2;

Status check(bool ok, const std::string& what) { return ok ? Status::ok() : Status::invalid_argument(what); }

std::string fmt(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

Status PretrainOptions::validate() const {
  BAHED_RETURN_IF_ERROR(check(!out_dir.empty(), "out_dir must not be empty"));
  BAHED_RETURN_IF_ERROR(check(!data_dir.empty(), "data_dir must not be empty"));
  BAHED_RETURN_IF_ERROR(check(d_model > 0 && n_layers > 0 && n_heads > 0 && n_kv_heads > 0 && intermediate_size > 0,
                              "d_model, n_layers, n_heads, n_kv_heads, intermediate_size must be positive"));
  BAHED_RETURN_IF_ERROR(check(n_heads % n_kv_heads == 0, "n_kv_heads must divide n_heads"));
  BAHED_RETURN_IF_ERROR(check(d_model % n_heads == 0 && (d_model / n_heads) % 2 == 0,
                              "d_model / n_heads must be a whole, even head width"));
  BAHED_RETURN_IF_ERROR(check(vocab_size >= 300, "vocab_size must be >= 300 (260 special and byte pieces)"));
  BAHED_RETURN_IF_ERROR(check(seq_len >= 2, "seq_len must be >= 2"));
  BAHED_RETURN_IF_ERROR(check(batch_size > 0, "batch_size must be positive"));
  BAHED_RETURN_IF_ERROR(check(lr > 0 && std::isfinite(lr), "lr must be positive"));
  BAHED_RETURN_IF_ERROR(check(min_lr_ratio >= 0 && min_lr_ratio <= 1, "min_lr_ratio must be in [0, 1]"));
  BAHED_RETURN_IF_ERROR(check(warmup_fraction >= 0 && warmup_fraction < 1, "warmup_fraction must be in [0, 1)"));
  BAHED_RETURN_IF_ERROR(check(weight_decay >= 0, "weight_decay must not be negative"));
  BAHED_RETURN_IF_ERROR(check(adam_beta1 >= 0 && adam_beta1 < 1 && adam_beta2 >= 0 && adam_beta2 < 1,
                              "adam betas must be in [0, 1)"));
  BAHED_RETURN_IF_ERROR(check(grad_clip > 0, "grad_clip must be positive"));
  BAHED_RETURN_IF_ERROR(check(max_tokens > 0, "max_tokens must be positive"));
  BAHED_RETURN_IF_ERROR(check(heldout_fraction > 0 && heldout_fraction < 0.5, "heldout_fraction must be in (0, 0.5)"));
  BAHED_RETURN_IF_ERROR(check(eval_interval_steps >= 0, "eval_interval_steps must not be negative"));
  BAHED_RETURN_IF_ERROR(check(eval_max_tokens >= seq_len, "eval_max_tokens must be >= seq_len"));
  BAHED_RETURN_IF_ERROR(check(checkpoint_interval_steps > 0, "checkpoint_interval_steps must be positive"));
  BAHED_RETURN_IF_ERROR(check(torch_threads >= 1 && torch_threads <= 256, "torch_threads must be in [1, 256]"));
  BAHED_RETURN_IF_ERROR(check(blas_threads >= 1 && blas_threads <= 256, "blas_threads must be in [1, 256]"));
  return model_config(vocab_size).validate();
}

int64_t PretrainOptions::total_steps() const { return (max_tokens + tokens_per_step() - 1) / tokens_per_step(); }

int64_t PretrainOptions::warmup_steps() const {
  return static_cast<int64_t>(std::llround(warmup_fraction * static_cast<double>(total_steps())));
}

double PretrainOptions::lr_at(int64_t step) const {
  const int64_t warmup = warmup_steps();
  if (step < warmup) return lr * static_cast<double>(step + 1) / static_cast<double>(warmup);
  const int64_t decay_steps = total_steps() - warmup;
  if (decay_steps <= 1) return lr;
  const double progress = std::min(1.0, static_cast<double>(step - warmup) / static_cast<double>(decay_steps - 1));
  const double min_lr = lr * min_lr_ratio;
  return min_lr + 0.5 * (lr - min_lr) * (1.0 + std::cos(std::numbers::pi * progress));
}

encoder::ModelConfig PretrainOptions::model_config(int64_t n_vocab) const {
  encoder::ModelConfig c;
  c.arch = encoder::ModelArch::kLlama;
  c.hidden_size = d_model;
  c.intermediate_size = intermediate_size;
  c.n_layers = n_layers;
  c.n_heads = n_heads;
  c.n_kv_heads = n_kv_heads;
  c.n_vocab = n_vocab;
  c.max_position_embeddings = seq_len;
  c.rms_norm_eps = 1e-5;
  c.rope_theta = 10000.0;
  // Tied: at this size the embedding table is a third of the weights.
  c.tie_word_embeddings = true;
  c.initializer_range = 0.02;
  c.torch_dtype = "float32";
  c.bos_token_id = 1;
  c.eos_token_ids = {2};
  return c;
}

std::string PretrainOptions::canonical() const {
  std::string s = "recipe=" + std::to_string(kRecipeVersion);
  auto add = [&s](const char* key, const std::string& value) { s += std::string(";") + key + "=" + value; };
  add("d_model", std::to_string(d_model));
  add("n_layers", std::to_string(n_layers));
  add("n_heads", std::to_string(n_heads));
  add("n_kv_heads", std::to_string(n_kv_heads));
  add("intermediate_size", std::to_string(intermediate_size));
  add("vocab_size", std::to_string(vocab_size));
  add("seq_len", std::to_string(seq_len));
  add("batch_size", std::to_string(batch_size));
  add("lr", fmt(lr));
  add("min_lr_ratio", fmt(min_lr_ratio));
  add("warmup_fraction", fmt(warmup_fraction));
  add("weight_decay", fmt(weight_decay));
  add("adam_beta1", fmt(adam_beta1));
  add("adam_beta2", fmt(adam_beta2));
  add("grad_clip", fmt(grad_clip));
  add("max_tokens", std::to_string(max_tokens));
  add("seed", std::to_string(seed));
  add("heldout_fraction", fmt(heldout_fraction));
  return s;
}

std::string PretrainOptions::fingerprint() const {
  uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  for (unsigned char c : canonical()) h = (h ^ c) * 1099511628211ull;
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

void PretrainOptions::append_json(JsonWriter& w) const {
  w.begin_object();
  w.key("out_dir").value(out_dir).key("data_dir").value(data_dir);
  w.key("d_model").value(d_model).key("n_layers").value(n_layers).key("n_heads").value(n_heads);
  w.key("n_kv_heads").value(n_kv_heads).key("intermediate_size").value(intermediate_size);
  w.key("vocab_size").value(vocab_size).key("seq_len").value(seq_len);
  w.key("batch_size").value(batch_size).key("lr").value(lr).key("min_lr_ratio").value(min_lr_ratio);
  w.key("warmup_fraction").value(warmup_fraction).key("weight_decay").value(weight_decay);
  w.key("adam_beta1").value(adam_beta1).key("adam_beta2").value(adam_beta2).key("grad_clip").value(grad_clip);
  w.key("max_tokens").value(max_tokens).key("seed").value(static_cast<uint64_t>(seed));
  w.key("heldout_fraction").value(heldout_fraction);
  w.key("eval_interval_steps").value(eval_interval_steps).key("eval_max_tokens").value(eval_max_tokens);
  w.key("checkpoint_interval_steps").value(checkpoint_interval_steps).key("torch_threads").value(torch_threads);
  w.key("blas_threads").value(blas_threads);
  w.end_object();
}

}  // namespace bahed::ctl
