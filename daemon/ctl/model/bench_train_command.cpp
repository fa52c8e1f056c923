// bahectl bench train: the four trainers {token-level, BAHE} x {sliding
// window, DTI} side by side on the same events, one forked child each (so
// each one's peak memory is its own), then optional sweeps over n and k of
// the BAHE pair. Prints a table (or --json) and optionally a PNG.
#include <torch/torch.h>

#include <boost/program_options.hpp>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <random>
#include <sstream>

#include "daemon/ctl/bench_report.h"
#include "daemon/ctl/command_line.h"
#include "daemon/ctl/ctl_command.h"
#include "daemon/ctl/model/forked_run.h"
#include "daemon/ctl/model/matmul_peak.h"
#include "daemon/ctl/model/train_bench_data.h"
#include "daemon/ctl/model/train_bench_report.h"
#include "daemon/ctl/model/train_bench_run.h"
#include "encoder/shallow_text_encoder.h"

namespace po = boost::program_options;

namespace bahed::ctl {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::vector<int64_t> parse_list(const std::string& text) {
  std::vector<int64_t> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(std::stoll(item));
  }
  return out;
}

// Users in a seeded random order, taken while their training targets total
// at most max_targets (0: all); returned sorted (data order).
std::vector<size_t> pick_users(const TrainBenchData& data, const std::vector<size_t>& from, int64_t max_targets,
                               uint64_t seed) {
  if (max_targets <= 0) return from;
  std::vector<size_t> order = from;
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<size_t> out;
  int64_t n = 0;
  for (const size_t u : order) {
    const auto targets = static_cast<int64_t>(data.users[u].train.targets.size());
    if (!out.empty() && n + targets > max_targets) continue;
    out.push_back(u);
    n += targets;
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Inputs {
  const TrainBenchData& data;
  const encoder::LlamaModel& base;
  const torch::Tensor& vectors;
  const trainer::TokenTable& tokens;
  const TrainRunOptions& options;
};

// One trainer in a forked child; exits the process on failure.
Result<TrainerOutcome> run_one(const Inputs& in, const std::vector<size_t>& users, const TrainerSetup& setup) {
  std::cerr << "bench train: " << setup.label << " (n=" << setup.n_context << ", k=" << setup.n_targets_per_row
            << ", " << users.size() << " users)...\n";
  auto forked = run_forked([&] {
    TrainRunResult r = run_trainer(in.data, users, in.base, in.vectors, in.tokens, setup, in.options);
    return std::string(reinterpret_cast<const char*>(&r), sizeof r);
  });
  if (!forked.is_ok()) return forked.status().with_context(setup.label);
  if (forked->payload.size() != sizeof(TrainRunResult)) return Status::internal(setup.label + ": short result");
  TrainerOutcome outcome{setup, {}};
  std::memcpy(&outcome.result, forked->payload.data(), sizeof(TrainRunResult));
  outcome.result.peak_rss_delta_bytes = forked->peak_delta_bytes();
  const TrainRunResult& r = outcome.result;
  std::cerr << "  " << r.n_targets_trained << " targets in " << r.train_seconds << " s ("
            << r.seconds_per_1000_targets() << " s per 1,000), held-out AUC " << r.held_out_auc << ", peak RSS +"
            << r.peak_rss_delta_bytes / (1 << 20) << " MiB\n";
  return outcome;
}

std::string label_of(trainer::SlotGranularity g, int64_t k) {
  return std::string(g == trainer::SlotGranularity::kToken ? "token" : "BAHE") + (k > 1 ? " DTI" : " sliding");
}

TrainerSetup setup_of(trainer::SlotGranularity g, int64_t n, int64_t k, bool with_shape) {
  std::string key = std::string(g == trainer::SlotGranularity::kToken ? "token" : "bahe") + (k > 1 ? "_dti" : "_sliding");
  std::string label = label_of(g, k);
  if (with_shape) {
    key += "_n" + std::to_string(n) + "_k" + std::to_string(k);
    label = (k > 1 ? "DTI" : "SW") + std::string(" n=") + std::to_string(n) + (k > 1 ? " k=" + std::to_string(k) : "");
  }
  return {key, label, g, n, k};
}

}  // namespace

int run_bench_train(int argc, char** argv) {
  std::string model_dir = "data/base-model";
  std::vector<std::string> events = {"data/movielens/events.jsonl"};
  int64_t n_layers_shallow = 2, n_context = 50, k = 50, epochs = 1, max_users = 0, max_targets = 2000;
  std::string sweep_n, sweep_k, trainers = "token_sliding,token_dti,bahe_sliding,bahe_dti", plot;
  int threads = 1;
  bool json = false;
  TrainRunOptions run;
  trainer::TrainerOptions& t = run.trainer;
  std::string position_scheme(trainer::position_scheme_name(t.model.position_scheme));
  po::options_description flags(
      "bahectl bench train: trains the four CTR trainers {token-level, BAHE} x {sliding window, DTI} side by\n"
      "side on the same events and reports, per trainer, training time per 1,000 targets, peak memory (each\n"
      "trainer runs in its own forked child: its peak RSS above the parent's image, VmHWM after a reset),\n"
      "achieved GFLOP/s against the machine's matmul peak measured in the same run, held-out AUC and\n"
      "logloss (the last 10% of each user's impressions by time), and for DTI the leakage gap; then the\n"
      "ratios, and optional sweeps of the BAHE pair over n and k. BAHE vectors come from the model's\n"
      "shallow layers, computed once per distinct text before training (timed apart).\n\noptions");
  flags.add_options()("help,h", "print this help")(
      "model", po::value(&model_dir)->default_value(model_dir), "Hugging Face model directory (bahectl model init --out DIR makes a random one)")(
      "events", po::value(&events)->multitoken()->default_value(events, events[0]), "contract-v1 event logs (JSON lines), e.g. also data/synth/events.jsonl")(
      "n-layers-shallow", po::value(&n_layers_shallow)->default_value(n_layers_shallow), "frozen layers L_s; the rest are trained")(
      "n-context", po::value(&n_context)->default_value(n_context), "n: behaviors a target sees")(
      "k", po::value(&k)->default_value(k), "targets per DTI row")(
      "epochs", po::value(&epochs)->default_value(epochs), "passes over the training targets")(
      "max-users", po::value(&max_users)->default_value(max_users), "use at most this many users (seeded choice; 0: all)")(
      "max-targets", po::value(&max_targets)->default_value(max_targets),
      "token-level trainers train on users holding at most this many training targets (0: all); their\n"
      "time is per 1,000 targets all the same, their AUC is on that subset's held-out targets")(
      "trainers", po::value(&trainers)->default_value(trainers), "which of the four to run, comma-separated")(
      "sweep-n", po::value(&sweep_n), "also run BAHE sliding and DTI at these n, e.g. 10,20,50,100")(
      "sweep-k", po::value(&sweep_k), "also run BAHE DTI at these k, e.g. 5,10,20,50,100")(
      "targets-per-step", po::value(&t.n_targets_per_step)->default_value(t.n_targets_per_step), "targets per optimizer step (whole rows)")(
      "max-padded-slots", po::value(&t.batch.max_padded_slots)->default_value(t.batch.max_padded_slots), "micro-batch bound: rows x longest row")(
      "max-rows", po::value(&t.batch.max_rows)->default_value(t.batch.max_rows), "micro-batch bound: rows")(
      "lr", po::value(&t.lr)->default_value(t.lr, "0.0003"), "AdamW peak learning rate")(
      "warmup-steps", po::value(&t.warmup_steps)->default_value(t.warmup_steps), "linear warm-up steps")(
      "forgetting", po::value(&t.model.forgetting)->default_value(t.model.forgetting), "DTI forgetting penalty per behavior of distance")(
      "position-scheme", po::value(&position_scheme)->default_value(position_scheme), "alibi or rotary")(
      "seed", po::value(&t.seed)->default_value(t.seed), "seed of initialization, row order and user choice")(
      "progress-every", po::value(&run.progress_every_s)->default_value(run.progress_every_s), "seconds between progress lines (0: none)")(
      "threads", po::value(&threads)->default_value(threads), "torch intra-op threads (BLAS threads its own matmuls)")(
      "plot", po::value(&plot), "write a PNG here (gnuplot)")(
      "json", po::bool_switch(&json), "print one JSON object instead of the tables");
  po::variables_map vm;
  if (auto exit_code = parse_command_line(argc, argv, flags, &vm)) return *exit_code;
  auto fail = [&](const std::string& message, int code = 1) {
    std::cerr << argv[0] << ": " << message << "\n";
    return code;
  };
  const auto scheme = trainer::parse_position_scheme(position_scheme);
  if (!scheme) return fail("--position-scheme must be alibi or rotary", 2);
  t.model.position_scheme = *scheme;
  run.epochs = epochs;
  if (epochs < 1 || k < 2) return fail("--epochs must be >= 1 and --k >= 2", 2);
  if (const Status s = t.validate(); !s.is_ok()) return fail(s.to_string(), 2);
  std::vector<int64_t> sweep_ns, sweep_ks;
  try {
    sweep_ns = parse_list(sweep_n);
    sweep_ks = parse_list(sweep_k);
  } catch (const std::exception&) {
    return fail("--sweep-n and --sweep-k take comma-separated integers", 2);
  }
  if (!std::filesystem::exists(std::filesystem::path(model_dir) / "config.json")) {
    return fail("no model in " + model_dir + " (bahectl pretrain, or bahectl model init --out " + model_dir + ")");
  }
  at::set_num_threads(threads);

  const auto t_load = Clock::now();
  TrainBenchDataOptions data_options;
  data_options.event_files = events;
  auto loaded = load_train_bench_data(data_options);
  if (!loaded.is_ok()) return fail(loaded.status().to_string());
  const TrainBenchData& data = *loaded;
  const double load_s = seconds_since(t_load);
  std::vector<size_t> all_users(data.users.size());
  std::iota(all_users.begin(), all_users.end(), size_t{0});
  if (max_users > 0 && static_cast<size_t>(max_users) < all_users.size()) {
    std::mt19937_64 rng(t.seed);
    std::shuffle(all_users.begin(), all_users.end(), rng);
    all_users.resize(static_cast<size_t>(max_users));
    std::sort(all_users.begin(), all_users.end());
  }

  encoder::LlmOptions llm;
  llm.model_dir = model_dir;
  llm.n_layers_shallow = n_layers_shallow;
  auto encoder = encoder::ShallowTextEncoder::load(llm, encoder::ShallowEncoderOptions{});
  if (!encoder.is_ok()) return fail(encoder.status().to_string());
  std::cerr << "bench train: " << data.n_impressions << " impressions of " << data.users.size() << " users, "
            << data.texts.size() << " distinct texts; encoding them with the shallow layers...\n";
  const auto t_encode = Clock::now();
  auto encoded = (*encoder)->encode(data.texts);
  if (!encoded.is_ok()) return fail(encoded.status().to_string());
  const double encode_s = seconds_since(t_encode);
  const auto dim = static_cast<int64_t>((*encoder)->dimension());
  const torch::Tensor vectors =
      torch::from_blob(encoded->data(), {static_cast<int64_t>(data.texts.size()), dim}, torch::kFloat32).clone();
  const trainer::TokenTable tokens =
      tokenize_texts((*encoder)->tokenizer(), data.texts, encoder::ShallowEncoderOptions{}.max_tokens);
  int64_t n_tokens = 0;
  for (int64_t id = 0; id < tokens.size(); ++id) n_tokens += tokens.n_tokens(id);
  const encoder::LlamaModel& base = (*encoder)->model();

  TrainBenchResults results;
  const MatmulPeak peak_before = measure_matmul_peak();
  const Inputs inputs{data, base, vectors, tokens, run};
  const auto t_train = Clock::now();
  const std::vector<size_t> token_users = pick_users(data, all_users, max_targets, t.seed);
  for (const std::string& name : {"token_sliding", "token_dti", "bahe_sliding", "bahe_dti"}) {
    if (("," + trainers + ",").find("," + name + ",") == std::string::npos) continue;
    const bool by_token = std::string(name).rfind("token", 0) == 0;
    const bool dti = std::string(name).find("dti") != std::string::npos;
    const TrainerSetup setup = setup_of(by_token ? trainer::SlotGranularity::kToken : trainer::SlotGranularity::kBehavior,
                                        n_context, dti ? k : 1, false);
    auto outcome = run_one(inputs, by_token ? token_users : all_users, setup);
    if (!outcome.is_ok()) return fail(outcome.status().to_string());
    results.trainers.push_back(std::move(outcome).value());
  }
  for (const int64_t n : sweep_ns) {
    for (const int64_t kk : {int64_t{1}, k}) {
      auto outcome = run_one(inputs, all_users, setup_of(trainer::SlotGranularity::kBehavior, n, kk, true));
      if (!outcome.is_ok()) return fail(outcome.status().to_string());
      results.sweep_n.push_back(std::move(outcome).value());
    }
  }
  for (const int64_t kk : sweep_ks) {
    auto outcome = run_one(inputs, all_users, setup_of(trainer::SlotGranularity::kBehavior, n_context, kk, true));
    if (!outcome.is_ok()) return fail(outcome.status().to_string());
    results.sweep_k.push_back(std::move(outcome).value());
  }
  const double train_all_s = seconds_since(t_train);
  const MatmulPeak peak_after = measure_matmul_peak();
  results.matmul_peak_gflops = std::max(peak_before.gflops, peak_after.gflops);

  BenchReport report("bench train: {token-level, BAHE} x {sliding window, DTI} on the same events");
  const encoder::ModelConfig& c = base->config();
  std::string files;
  for (const std::string& f : events) files += (files.empty() ? "" : " ") + f;
  report.context("events", files);
  report.context("data", std::to_string(data.n_impressions) + " impressions, " + std::to_string(all_users.size()) +
                             " users used, " + std::to_string(data.texts.size()) + " texts (" +
                             std::to_string(n_tokens) + " tokens)");
  report.context("model", model_dir + ": d=" + std::to_string(c.hidden_size) + " layers=" +
                              std::to_string(c.n_layers) + " (" + std::to_string(n_layers_shallow) + " shallow)");
  report.context("rows", "n=" + std::to_string(n_context) + " k=" + std::to_string(k) + ", " +
                             std::to_string(t.n_targets_per_step) + " targets/step, micro-batches <= " +
                             std::to_string(t.batch.max_padded_slots) + " slots, " + std::to_string(epochs) +
                             " epoch(s), " + std::string(trainer::position_scheme_name(t.model.position_scheme)));
  report.context("token-level subset", max_targets > 0 ? std::to_string(token_users.size()) +
                                                             " users (<= " + std::to_string(max_targets) +
                                                             " training targets); time scaled per 1,000 targets"
                                                       : "all users");
  report.context("memory", "peak RSS of each trainer's forked child above its start (VmHWM after clear_refs)");
  report.context("threads", std::to_string(threads) + " torch, BLAS its own");
  report.figure("load_seconds", "read and split events", load_s, "s");
  report.figure("encode_seconds", "shallow encode of every distinct text", encode_s, "s");
  report.figure("encode_texts_per_s", "shallow encode rate", static_cast<double>(data.texts.size()) / encode_s,
                "texts/s");
  report.figure("train_all_seconds", "all trainer runs (children), wall", train_all_s, "s");
  report.figure("matmul_peak_gflops", "matmul peak (fp32 1024^3, best of before/after)", results.matmul_peak_gflops,
                "GFLOP/s");
  add_train_bench_tables(results, report);
  report.print(json);
  if (!plot.empty()) {
    if (const Status s = plot_png(plot, train_bench_panels(results)); !s.is_ok()) return fail(s.to_string());
    std::cerr << "bench train: wrote " << plot << "\n";
  }
  return 0;
}

}  // namespace bahed::ctl
