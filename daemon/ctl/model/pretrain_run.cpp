#include "daemon/ctl/model/pretrain_run.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <system_error>

#include "common/atomic_file.h"
#include "common/json_writer.h"
#include "daemon/ctl/model/packed_windows.h"
#include "daemon/ctl/model/perplexity.h"
#include "daemon/ctl/model/pretrain_corpus.h"
#include "daemon/ctl/model/pretrain_state.h"
#include "daemon/ctl/model/pretrainer.h"
#include "daemon/ctl/model/tokenizer_trainer.h"
#include "daemon/ctl/progress_bar.h"
#include "encoder/llm/hf_checkpoint.h"
#include "encoder/tokenizer/tokenizer.h"

namespace bahed::ctl {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kReportFile = "pretrain_report.json";
constexpr const char* kStateDir = ".pretrain_state";
// What publication moves into <out>, in this order; the report follows last.
constexpr const char* kModelFiles[] = {"config.json", "model.safetensors", "tokenizer.model", "tokenizer_config.json"};
constexpr int32_t kBosId = 1;  // fixed by tokenizer_trainer.h
constexpr int32_t kEosId = 2;

// LibTorch's intra-op pool, and OpenBLAS's own pool when Debian's OpenBLAS
// backs torch's BLAS (at::set_num_threads does not size that one). Looked up
// at run time so another BLAS simply keeps its own setting.
void set_compute_threads(int torch_threads, int blas_threads) {
  at::set_num_threads(torch_threads);
  using SetThreads = void (*)(int);
  if (auto fn = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) fn(blas_threads);
}

// Stage lines on stderr, stamped with the seconds since the run started, in
// a way that does not collide with the progress bar's line.
class StageLog {
 public:
  explicit StageLog(bool verbose) : verbose_(verbose), start_(Clock::now()) {}
  void operator()(const std::string& line) const {
    if (!verbose_) return;
    const double s = std::chrono::duration<double>(Clock::now() - start_).count();
    std::fprintf(stderr, "%s[%7.1f s] %s\n", ::isatty(STDERR_FILENO) == 1 ? "\r\033[K" : "", s, line.c_str());
    std::fflush(stderr);
  }
  bool verbose() const { return verbose_; }

 private:
  bool verbose_;
  Clock::time_point start_;
};

std::string hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

bool is_complete_model(const fs::path& out) {
  std::error_code ec;
  for (const char* name : kModelFiles) {
    if (!fs::is_regular_file(out / name, ec)) return false;
  }
  return true;
}

// Removes a finished model and the resumable state (for --restart).
Status discard_previous(const fs::path& out) {
  std::error_code ec;
  fs::remove(out / kReportFile, ec);  // first: without it nothing counts as complete
  for (const char* name : kModelFiles) fs::remove(out / name, ec);
  fs::remove_all(out / kStateDir, ec);
  if (ec) return Status::io_error("removing the previous model in " + out.string() + ": " + ec.message());
  return Status::ok();
}

// The state of an earlier run must belong to the same options and corpus.
Status open_state(const PretrainState& state, const StateIdentity& identity) {
  Result<StateIdentity> existing = state.read_identity();
  if (existing.is_ok()) {
    if (existing->fingerprint != identity.fingerprint || existing->corpus_hash != identity.corpus_hash) {
      return Status::invalid_argument(
          state.dir().string() + " holds an interrupted run with other options or another corpus (fingerprint " +
          existing->fingerprint + ", corpus " + existing->corpus_hash + "; now " + identity.fingerprint + ", " +
          identity.corpus_hash + "). Pass --restart to discard it, or rerun with the options it was started with.");
    }
    return Status::ok();
  }
  if (existing.status().code() != StatusCode::kNotFound) return existing.status();
  BAHED_RETURN_IF_ERROR(state.create());
  return state.write_identity(identity);
}

Status ensure_tokenizer(const PretrainState& state, const PretrainCorpus& corpus, const PretrainOptions& options,
                        const StageLog& say) {
  std::error_code ec;
  if (fs::is_regular_file(state.tokenizer_path(), ec)) return Status::ok();
  std::vector<std::string_view> sentences;
  for (const CorpusDocument& doc : corpus.train) {
    for (const std::string& p : doc.paragraphs) sentences.push_back(p);
  }
  TokenizerTrainerOptions tok;
  tok.vocab_size = options.vocab_size;
  tok.seed = static_cast<uint32_t>(options.seed);
  tok.n_threads = std::max(options.torch_threads, options.blas_threads);
  say("training a BPE SentencePiece tokenizer (" + std::to_string(options.vocab_size) + " pieces) on " +
      std::to_string(sentences.size()) + " paragraphs with spm_train");
  BAHED_ASSIGN_OR_RETURN(const std::string model, train_sentencepiece(sentences, tok, state.dir() / "tokenizer"));
  return write_file_atomically(state.tokenizer_path(), model);
}

std::string tokenizer_config_json(const PretrainOptions& options) {
  JsonWriter w;
  w.begin_object();
  w.key("tokenizer_class").value("LlamaTokenizer");
  w.key("add_bos_token").value(true).key("add_eos_token").value(false);
  w.key("bos_token").value("<s>").key("eos_token").value("</s>");
  w.key("unk_token").value("<unk>").key("pad_token").value("<pad>");
  w.key("model_max_length").value(options.seq_len);
  w.key("clean_up_tokenization_spaces").value(false).key("legacy").value(false);
  w.end_object();
  return w.take() + "\n";
}

// Builds the directory in the state folder, moves the files into <out> and
// writes the report last, so an interrupted publication never looks complete.
Status publish(encoder::LlamaModel& model, const PretrainState& state, const PretrainOptions& options,
               const PretrainReport& report) {
  const fs::path out = options.out_dir;
  const fs::path stage = state.dir() / "final";
  std::error_code ec;
  fs::remove_all(stage, ec);
  BAHED_RETURN_IF_ERROR(encoder::save_hf_model(model, stage));
  fs::copy_file(state.tokenizer_path(), stage / "tokenizer.model", fs::copy_options::overwrite_existing, ec);
  if (ec) return Status::io_error("copying the tokenizer into " + stage.string() + ": " + ec.message());
  BAHED_RETURN_IF_ERROR(sync_path(stage / "tokenizer.model"));
  BAHED_RETURN_IF_ERROR(write_file_atomically(stage / "tokenizer_config.json", tokenizer_config_json(options)));
  for (const char* name : kModelFiles) {
    fs::rename(stage / name, out / name, ec);
    if (ec) return Status::io_error("moving " + std::string(name) + " into " + out.string() + ": " + ec.message());
  }
  BAHED_RETURN_IF_ERROR(sync_path(out));
  return write_file_atomically(out / kReportFile, pretrain_report_json(report));
}

// The cache check: a complete model for these options, or a refusal when the
// directory holds one for other options and restart is off.
Result<std::optional<PretrainReport>> check_existing(const PretrainOptions& options, bool restart) {
  const fs::path out = options.out_dir;
  Result<PretrainReport> existing = read_pretrain_report(out / kReportFile);
  if (!existing.is_ok()) {
    if (existing.status().code() == StatusCode::kNotFound) return std::optional<PretrainReport>();
    if (!restart) return existing.status().with_context("pass --restart to retrain");
    return std::optional<PretrainReport>();
  }
  if (existing->fingerprint == options.fingerprint() && is_complete_model(out) && !restart)
    return std::optional<PretrainReport>(*existing);
  if (!restart && existing->fingerprint != options.fingerprint()) {
    return Status::invalid_argument(out.string() + " holds a model trained with other options (fingerprint " +
                                    existing->fingerprint + ", now " + options.fingerprint() +
                                    "). Pass --restart to replace it, or choose another --out.");
  }
  return std::optional<PretrainReport>();
}

struct TokenData {
  std::vector<int32_t> train;
  std::vector<int32_t> heldout;
  int64_t n_vocab = 0;
};

Result<TokenData> tokenize_corpus(const PretrainState& state, const PretrainCorpus& corpus,
                                  const PretrainOptions& options) {
  BAHED_ASSIGN_OR_RETURN(std::unique_ptr<encoder::Tokenizer> tokenizer, encoder::load_tokenizer(state.dir()));
  if (tokenizer->vocab_size() != options.vocab_size || tokenizer->bos_id() != kBosId ||
      tokenizer->eos_id() != kEosId) {
    return Status::corruption(state.tokenizer_path().string() + " does not match the options (vocab " +
                              std::to_string(tokenizer->vocab_size()) + ", want " +
                              std::to_string(options.vocab_size) + " with <s>=1, </s>=2); pass --restart");
  }
  TokenData data;
  data.n_vocab = tokenizer->vocab_size();
  data.train = encode_documents(corpus.train, *tokenizer, kBosId, kEosId);
  data.heldout = encode_documents(corpus.heldout, *tokenizer, kBosId, kEosId);
  if (static_cast<int64_t>(data.heldout.size()) <= options.seq_len ||
      static_cast<int64_t>(data.train.size()) <= options.seq_len) {
    return Status::invalid_argument("the corpus is too small for seq_len " + std::to_string(options.seq_len));
  }
  return data;
}

// The progress bar and interval lines.
TrainHooks make_hooks(const PretrainOptions& options, const TrainProgress& start, const PretrainRunControls& controls,
                      const StageLog& say, std::shared_ptr<ProgressBar> bar) {
  TrainHooks hooks;
  hooks.stop_requested = controls.stop_requested;
  if (!controls.verbose) return hooks;
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  auto last_draw = std::make_shared<Clock::time_point>(Clock::now());
  const int64_t total_steps = options.total_steps();
  hooks.on_step = [bar, last_draw, tty, start, total_steps](const TrainProgress& p, double lr, double) {
    const auto now = Clock::now();
    if (now - *last_draw < (tty ? std::chrono::milliseconds(500) : std::chrono::seconds(15)) && p.step < total_steps)
      return;
    *last_draw = now;
    char extra[128];
    std::snprintf(extra, sizeof extra, "step %lld/%lld loss %.3f lr %.2e", static_cast<long long>(p.step),
                  static_cast<long long>(total_steps), p.smoothed_loss(), lr);
    bar->update(p.tokens_seen - start.tokens_seen, extra, true);
  };
  hooks.on_eval = [say](const TrainProgress& p, const HeldoutLoss& eval) {
    char line[160];
    std::snprintf(line, sizeof line, "step %lld: train loss %.4f, held-out loss %.4f (perplexity %.2f, %lld tokens)",
                  static_cast<long long>(p.step), p.smoothed_loss(), eval.mean_nll, eval.perplexity(),
                  static_cast<long long>(eval.n_tokens));
    say(line);
  };
  return hooks;
}

// The figures that come from the trainer and the evaluation.
PretrainReport make_report(const PretrainOptions& options, const PretrainCorpus& corpus, const Pretrainer& trainer,
                           const HeldoutLoss& eval, const HeldoutLoss& unigram) {
  const TrainProgress& progress = trainer.progress();
  PretrainReport report;
  report.fingerprint = options.fingerprint();
  JsonWriter options_json;
  options.append_json(options_json);
  report.options_json = options_json.take();
  report.corpus_json = corpus_counts_json(corpus);
  report.seed = options.seed;
  report.torch_threads = options.torch_threads;
  report.blas_threads = options.blas_threads;
  report.n_parameters = trainer.n_parameters();
  report.n_parameters_non_embedding = trainer.n_parameters_non_embedding();
  report.n_steps = progress.step;
  report.tokens_trained = progress.tokens_seen;
  report.train_seconds = progress.train_seconds;
  report.tokens_per_second = static_cast<double>(progress.tokens_seen) / progress.train_seconds;
  report.gflops_per_second = 6.0 * static_cast<double>(report.n_parameters) * report.tokens_per_second / 1e9;
  report.final_train_loss = progress.smoothed_loss();
  report.heldout_loss = eval.mean_nll;
  report.heldout_perplexity = eval.perplexity();
  report.unigram_perplexity = unigram.perplexity();
  report.n_heldout_targets = eval.n_tokens;
  return report;
}

// Everything training needs, in the order it is built.
struct PreparedRun {
  PretrainCorpus corpus;
  std::unique_ptr<PackedWindows> train;
  std::unique_ptr<PackedWindows> heldout;
  std::vector<int64_t> train_counts;  // per token id, for the unigram baseline
  int64_t n_vocab = 0;
};

// Corpus, state check, tokenizer (trained once per state), token windows.
Result<PreparedRun> prepare_run(const PretrainOptions& options, const PretrainState& state, const StageLog& say) {
  PretrainCorpusOptions corpus_options;
  corpus_options.data_dir = options.data_dir;
  corpus_options.heldout_fraction = options.heldout_fraction;
  say("building the corpus in " + options.data_dir + "/corpus");
  PreparedRun run;
  BAHED_ASSIGN_OR_RETURN(run.corpus, build_pretrain_corpus(corpus_options));
  if (say.verbose()) std::fprintf(stderr, "%s", format_corpus_counts(run.corpus).c_str());
  BAHED_RETURN_IF_ERROR(open_state(state, {options.fingerprint(), hex64(run.corpus.content_hash)}));
  BAHED_RETURN_IF_ERROR(ensure_tokenizer(state, run.corpus, options, say));
  say("tokenizing the corpus");
  BAHED_ASSIGN_OR_RETURN(TokenData tokens, tokenize_corpus(state, run.corpus, options));
  say("tokens: " + std::to_string(tokens.train.size()) + " training, " + std::to_string(tokens.heldout.size()) +
      " held out");
  run.n_vocab = tokens.n_vocab;
  run.train_counts = count_tokens(tokens.train, tokens.n_vocab);
  run.train = std::make_unique<PackedWindows>(std::move(tokens.train), options.seq_len, options.seed);
  run.heldout = std::make_unique<PackedWindows>(std::move(tokens.heldout), options.seq_len, options.seed);
  return run;
}

}  // namespace

Result<PretrainOutcome> run_pretraining(const PretrainOptions& options, const PretrainRunControls& controls) {
  const StageLog say(controls.verbose);
  const auto wall_start = Clock::now();
  BAHED_RETURN_IF_ERROR(options.validate());
  const fs::path out = options.out_dir;
  BAHED_ASSIGN_OR_RETURN(std::optional<PretrainReport> cached, check_existing(options, controls.restart));
  if (cached) return PretrainOutcome{*cached, true};
  if (controls.restart) BAHED_RETURN_IF_ERROR(discard_previous(out));
  set_compute_threads(options.torch_threads, options.blas_threads);
  const PretrainState state(out / kStateDir);
  BAHED_ASSIGN_OR_RETURN(PreparedRun run, prepare_run(options, state, say));

  Pretrainer trainer(options, run.n_vocab);
  BAHED_ASSIGN_OR_RETURN(const bool resumed, trainer.resume(state));
  if (resumed) say("resuming at step " + std::to_string(trainer.progress().step));
  say("training " + std::to_string(trainer.n_parameters()) + " parameters for " +
      std::to_string(options.total_steps()) + " steps of " + std::to_string(options.tokens_per_step()) + " tokens");
  const int64_t start_tokens = trainer.progress().tokens_seen;
  auto bar = std::make_shared<ProgressBar>("pretrain", options.total_steps() * options.tokens_per_step() - start_tokens,
                                           "tok");
  const TrainHooks hooks = make_hooks(options, trainer.progress(), controls, say, bar);
  BAHED_ASSIGN_OR_RETURN(const bool finished, trainer.train(*run.train, *run.heldout, state, hooks));
  const TrainProgress& progress = trainer.progress();
  if (!finished) {
    return Status::aborted("stopped at step " + std::to_string(progress.step) + " of " +
                           std::to_string(options.total_steps()) + "; the state is saved in " + state.dir().string() +
                           ", run the same command again to resume");
  }
  if (controls.verbose) bar->finish(progress.tokens_seen - start_tokens);

  say("evaluating on all held-out tokens");
  const HeldoutLoss eval = evaluate_model(trainer.model(), *run.heldout, options.batch_size, 0);
  const HeldoutLoss unigram = evaluate_unigram(run.train_counts, *run.heldout, 0);
  PretrainReport report = make_report(options, run.corpus, trainer, eval, unigram);
  report.n_vocab = run.n_vocab;
  report.n_train_stream_tokens = static_cast<int64_t>(run.train->tokens().size());
  report.n_heldout_stream_tokens = static_cast<int64_t>(run.heldout->tokens().size());
  report.epochs = static_cast<double>(progress.tokens_seen) / static_cast<double>(report.n_train_stream_tokens);
  report.resumed = resumed;
  report.wall_seconds = std::chrono::duration<double>(Clock::now() - wall_start).count();
  say("publishing " + out.string());
  BAHED_RETURN_IF_ERROR(publish(trainer.model(), state, options, report));
  std::error_code ec;
  fs::remove_all(state.dir(), ec);  // best effort: only disk space once the model is published
  return PretrainOutcome{report, false};
}

}  // namespace bahed::ctl
