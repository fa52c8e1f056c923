#pragma once
// PretrainOptions: everything `bahectl pretrain` needs to build the project's
// small base model. The flags of the command use the same names with '-'.
//
// The default budget (max_tokens) is sized so the whole run (corpus,
// tokenizer, training, evaluation) takes about 5-10 minutes on the project's
// 2-core CPU machine; see the pretrain report for the measured figures.
#include <cstdint>
#include <string>

#include "common/json_writer.h"
#include "common/status.h"
#include "encoder/llm/model_config.h"

namespace bahed::ctl {

struct PretrainOptions {
  // Output model directory (Hugging Face layout). Default: "data/base-model".
  std::string out_dir = "data/base-model";
  // Where packages are fetched and the corpus is written. Default: "data".
  std::string data_dir = "data";

  // Model shape (a Llama-architecture decoder).
  // Residual width, "hidden_size". Default: 256.
  int64_t d_model = 256;
  // Decoder layers, "num_hidden_layers". Default: 6.
  int64_t n_layers = 6;
  // Query heads. Default: 4.
  int64_t n_heads = 4;
  // Key/value heads (grouped-query attention); must divide n_heads. Default: 2.
  int64_t n_kv_heads = 2;
  // SwiGLU hidden width: about 8/3 * d_model rounded to a multiple of 16, as
  // Llama sizes it. Default: 688.
  int64_t intermediate_size = 688;
  // Tokenizer pieces and embedding rows. Default: 8000.
  int64_t vocab_size = 8000;
  // Training context in tokens; also written as max_position_embeddings.
  // Default: 128.
  int64_t seq_len = 128;

  // Optimization.
  // Sequences per step. With a budget of well under a million tokens, more
  // and smaller steps learn more per token (measured: 8 beats 16 at 200k
  // tokens, held-out perplexity 580 vs 833). Default: 8.
  int64_t batch_size = 8;
  // Peak learning rate after warm-up. Default: 2e-3.
  double lr = 2e-3;
  // The cosine decay ends at lr * min_lr_ratio. Default: 0.1.
  double min_lr_ratio = 0.1;
  // Share of the steps spent in linear warm-up from 0. Default: 0.05.
  double warmup_fraction = 0.05;
  // AdamW decoupled weight decay on matrices (norm weights are exempt).
  // Default: 0.1.
  double weight_decay = 0.1;
  // AdamW first-moment decay. Default: 0.9.
  double adam_beta1 = 0.9;
  // AdamW second-moment decay; 0.95 rather than 0.999 adapts faster in short
  // runs whose gradient scale changes quickly. Default: 0.95.
  double adam_beta2 = 0.95;
  // Global gradient-norm clip. Default: 1.0.
  double grad_clip = 1.0;
  // The training budget in tokens (rounded up to whole steps); it fixes the
  // schedule, so changing it needs --restart. Sized so the whole run takes
  // 5-10 minutes on the 2-core build machine: the default model trains at
  // ~1550-1650 tokens/s there when idle, ~1150 while other builds run (512
  // steps: ~6 and ~8 minutes). Default: 524288.
  int64_t max_tokens = 524288;
  // Seeds the weights, the window order and the tokenizer trainer. Default: 42.
  uint64_t seed = 42;
  // Share of prose documents held out for perplexity. Default: 0.02.
  double heldout_fraction = 0.02;

  // Run control; none of these changes the trained weights.
  // Held-out loss every this many steps (0 = only at the end). Default: 160.
  int64_t eval_interval_steps = 160;
  // Held-out tokens scored at those interval checks; the final evaluation
  // uses all of them. Default: 8192.
  int64_t eval_max_tokens = 8192;
  // Resumable state every this many steps (and on interruption). Default: 100.
  int64_t checkpoint_interval_steps = 100;
  // LibTorch's intra-op (OpenMP) threads. On the 2-core build machine one is
  // fastest: a second OpenMP thread spins while OpenBLAS works and steals its
  // core (measured 1100-1200 tokens/s with 2, 1550-1680 with 1, default
  // model). Results are reproducible for fixed thread counts. Default: 1.
  int torch_threads = 1;
  // OpenBLAS threads for the matrix products, where the time goes. Default: 2.
  int blas_threads = 2;

  Status validate() const;

  int64_t tokens_per_step() const { return batch_size * seq_len; }
  // ceil(max_tokens / tokens_per_step()).
  int64_t total_steps() const;
  int64_t warmup_steps() const;
  // Learning rate for optimizer step `step` (0-based): linear warm-up, then
  // cosine decay to lr * min_lr_ratio at the last step.
  double lr_at(int64_t step) const;
  // The model config written as config.json (model_type "llama", tied
  // embeddings, bos 1, eos 2) for a tokenizer of `n_vocab` pieces.
  encoder::ModelConfig model_config(int64_t n_vocab) const;
  // "key=value;..." of every option that determines the trained weights
  // (not paths, intervals or threads), with a format version.
  std::string canonical() const;
  // 16 hex digits of a 64-bit hash of canonical().
  std::string fingerprint() const;
  // Every option as one JSON object (for the report).
  void append_json(JsonWriter& w) const;
};

}  // namespace bahed::ctl
