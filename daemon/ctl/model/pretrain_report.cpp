#include "daemon/ctl/model/pretrain_report.h"

#include <simdjson.h>

#include <cstdio>

#include "common/atomic_file.h"
#include "common/json_writer.h"

namespace bahed::ctl {

std::string pretrain_report_json(const PretrainReport& r) {
  JsonWriter w;
  w.begin_object();
  w.key("fingerprint").value(r.fingerprint);
  w.key("seed").value(r.seed).key("torch_threads").value(r.torch_threads).key("blas_threads").value(r.blas_threads);
  w.key("n_parameters").value(r.n_parameters).key("n_parameters_non_embedding").value(r.n_parameters_non_embedding);
  w.key("n_vocab").value(r.n_vocab);
  w.key("n_train_stream_tokens").value(r.n_train_stream_tokens);
  w.key("n_heldout_stream_tokens").value(r.n_heldout_stream_tokens);
  w.key("n_steps").value(r.n_steps).key("tokens_trained").value(r.tokens_trained).key("epochs").value(r.epochs);
  w.key("train_seconds").value(r.train_seconds).key("wall_seconds").value(r.wall_seconds);
  w.key("tokens_per_second").value(r.tokens_per_second).key("gflops_per_second").value(r.gflops_per_second);
  w.key("final_train_loss").value(r.final_train_loss);
  w.key("heldout_loss").value(r.heldout_loss).key("heldout_perplexity").value(r.heldout_perplexity);
  w.key("unigram_perplexity").value(r.unigram_perplexity).key("n_heldout_targets").value(r.n_heldout_targets);
  w.key("resumed").value(r.resumed);
  w.key("options").raw(r.options_json.empty() ? "{}" : r.options_json);
  w.key("corpus").raw(r.corpus_json.empty() ? "{}" : r.corpus_json);
  w.end_object();
  return w.take() + "\n";
}

Result<PretrainReport> read_pretrain_report(const std::filesystem::path& path) {
  BAHED_ASSIGN_OR_RETURN(const std::string text, read_whole_file(path));
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text).get(root) != simdjson::SUCCESS) return Status::corruption(path.string() + " is not JSON");
  PretrainReport r;
  bool ok = true;
  auto str = [&](const char* key, std::string& out) {
    std::string_view v;
    ok = ok && root[key].get_string().get(v) == simdjson::SUCCESS;
    if (ok) out = std::string(v);
  };
  auto i64 = [&](const char* key, int64_t& out) { ok = ok && root[key].get_int64().get(out) == simdjson::SUCCESS; };
  auto f64 = [&](const char* key, double& out) { ok = ok && root[key].get_double().get(out) == simdjson::SUCCESS; };
  str("fingerprint", r.fingerprint);
  ok = ok && root["seed"].get_uint64().get(r.seed) == simdjson::SUCCESS;
  int64_t threads = 0;
  i64("torch_threads", threads);
  r.torch_threads = static_cast<int>(threads);
  i64("blas_threads", threads);
  r.blas_threads = static_cast<int>(threads);
  i64("n_parameters", r.n_parameters);
  i64("n_parameters_non_embedding", r.n_parameters_non_embedding);
  i64("n_vocab", r.n_vocab);
  i64("n_train_stream_tokens", r.n_train_stream_tokens);
  i64("n_heldout_stream_tokens", r.n_heldout_stream_tokens);
  i64("n_steps", r.n_steps);
  i64("tokens_trained", r.tokens_trained);
  f64("epochs", r.epochs);
  f64("train_seconds", r.train_seconds);
  f64("wall_seconds", r.wall_seconds);
  f64("tokens_per_second", r.tokens_per_second);
  f64("gflops_per_second", r.gflops_per_second);
  f64("final_train_loss", r.final_train_loss);
  f64("heldout_loss", r.heldout_loss);
  f64("heldout_perplexity", r.heldout_perplexity);
  f64("unigram_perplexity", r.unigram_perplexity);
  i64("n_heldout_targets", r.n_heldout_targets);
  ok = ok && root["resumed"].get_bool().get(r.resumed) == simdjson::SUCCESS;
  simdjson::dom::element options, corpus;
  ok = ok && root["options"].get(options) == simdjson::SUCCESS && root["corpus"].get(corpus) == simdjson::SUCCESS;
  if (ok) {
    r.options_json = simdjson::minify(options);
    r.corpus_json = simdjson::minify(corpus);
  }
  if (!ok) return Status::corruption(path.string() + " is not a complete pretrain report");
  return r;
}

std::string format_pretrain_report(const PretrainReport& r) {
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "  parameters            %lld (%lld without the embedding table), vocab %lld\n"
                "  trained               %lld tokens in %lld steps (%.2f epochs of %lld)\n"
                "  training time         %.1f s (%.0f tokens/s, %.2f GFLOP/s at 6*N*D)\n"
                "  wall time (last run)  %.1f s%s\n"
                "  final train loss      %.4f\n"
                "  held-out perplexity   %.2f (loss %.4f over %lld tokens)\n"
                "  unigram baseline      %.2f (add-one, same tokens)\n",
                static_cast<long long>(r.n_parameters), static_cast<long long>(r.n_parameters_non_embedding),
                static_cast<long long>(r.n_vocab), static_cast<long long>(r.tokens_trained),
                static_cast<long long>(r.n_steps), r.epochs, static_cast<long long>(r.n_train_stream_tokens),
                r.train_seconds, r.tokens_per_second, r.gflops_per_second, r.wall_seconds,
                r.resumed ? " (resumed from a checkpoint)" : "", r.final_train_loss, r.heldout_perplexity,
                r.heldout_loss, static_cast<long long>(r.n_heldout_targets), r.unigram_perplexity);
  return buf;
}

}  // namespace bahed::ctl
