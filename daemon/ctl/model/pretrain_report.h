#pragma once
// PretrainReport: what `bahectl pretrain` measured, written last into the
// model directory as pretrain_report.json. Its presence with a matching
// options fingerprint marks the directory as a complete model for those
// options (the cache check of the command).
#include <cstdint>
#include <filesystem>
#include <string>

#include "common/result.h"
#include "common/status.h"

namespace bahed::ctl {

struct PretrainReport {
  std::string fingerprint;  // PretrainOptions::fingerprint()
  std::string options_json;  // PretrainOptions::append_json output
  std::string corpus_json;   // corpus_counts_json output
  uint64_t seed = 0;
  int torch_threads = 0;
  int blas_threads = 0;
  int64_t n_parameters = 0;
  int64_t n_parameters_non_embedding = 0;
  int64_t n_vocab = 0;
  int64_t n_train_stream_tokens = 0;    // the tokenized training text
  int64_t n_heldout_stream_tokens = 0;  // the tokenized held-out text
  int64_t n_steps = 0;
  int64_t tokens_trained = 0;
  double epochs = 0.0;  // tokens_trained / n_train_stream_tokens
  double train_seconds = 0.0;  // inside training steps, over all resumed runs
  double wall_seconds = 0.0;   // the final run, end to end (corpus to publication)
  double tokens_per_second = 0.0;  // tokens_trained / train_seconds
  double gflops_per_second = 0.0;  // 6 * n_parameters * tokens_trained / train_seconds
  double final_train_loss = 0.0;   // bias-corrected moving average at the end
  double heldout_loss = 0.0;
  double heldout_perplexity = 0.0;
  double unigram_perplexity = 0.0;  // add-one unigram on the same targets
  int64_t n_heldout_targets = 0;
  bool resumed = false;  // the final run continued a checkpoint
};

std::string pretrain_report_json(const PretrainReport& report);

// Reads a report back (all scalar fields; options_json and corpus_json as
// raw JSON). NotFound when absent, Corruption when it does not parse.
Result<PretrainReport> read_pretrain_report(const std::filesystem::path& path);

// A few lines for the console.
std::string format_pretrain_report(const PretrainReport& report);

}  // namespace bahed::ctl
