// bahectl bench train: the four trainers {token-level, BAHE} x {sliding
// window, DTI} side by side on the same events, one forked child each (so
// each one's peak memory is its own), then optional sweeps over n and k of
// the BAHE pair. Prints a table (or --json) and optionally a PNG.
#include <torch/torch.h>

#include <boost/program_options.hpp>
#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <optional>
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

// A subset for the slow token-level trainers whose targets look like the
// whole data's (the cost per target grows with the context, so a sample of
// light users would flatter token-level): users drawn with probability
// proportional to their training targets, without replacement, until
// max_targets; the last one keeps only its latest training targets. Every
// user keeps all its behaviors and its held-out targets.
TrainBenchData representative_subset(const TrainBenchData& data, const std::vector<size_t>& from, int64_t max_targets,
                                     uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<std::pair<double, size_t>> keys;  // Efraimidis-Spirakis: u^(1/w), largest first
  for (const size_t u : from) {
    const auto w = static_cast<double>(data.users[u].train.targets.size());
    if (w > 0) keys.emplace_back(std::pow(uniform(rng), 1.0 / w), u);
  }
  std::sort(keys.rbegin(), keys.rend());
  TrainBenchData out;
  int64_t n = 0;
  for (const auto& [key, u] : keys) {
    if (n >= max_targets) break;
    TrainBenchUser user = data.users[u];
    const auto keep = std::min<int64_t>(max_targets - n, static_cast<int64_t>(user.train.targets.size()));
    auto& targets = user.train.targets;  // keep the latest: full contexts, like most targets
    targets.erase(targets.begin(), targets.end() - static_cast<std::ptrdiff_t>(keep));
    n += keep;
    out.users.push_back(std::move(user));
  }
  return out;
}

struct Inputs {
  const TrainBenchData& data;
  const encoder::LlamaModel& base;
  const torch::Tensor& vectors;
  const trainer::TokenTable& tokens;
  const TrainRunOptions& options;
};

// One trainer in a forked child (a crash there fails this call only).
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

struct Flags {
  std::string model_dir = "data/base-model";
  std::vector<std::string> events = {"data/movielens/events.jsonl"};
  int64_t n_layers_shallow = 2, n_context = 50, k = 50, max_users = 0, max_targets = 500;
  std::string trainers = "token_sliding,token_dti,bahe_sliding,bahe_dti", plot;
  std::vector<int64_t> sweep_ns, sweep_ks;
  bool json = false;
  TrainRunOptions run;
};

// Parses argv into `f`; returns the exit code when the command should end.
std::optional<int> parse_flags(int argc, char** argv, Flags* f) {
  trainer::TrainerOptions& t = f->run.trainer;
  std::string position_scheme(trainer::position_scheme_name(t.model.position_scheme)), sweep_n, sweep_k;
  bool separate_sum_slot = false;
  po::options_description flags(
      "bahectl bench train: trains the four CTR trainers {token-level, BAHE} x {sliding window, DTI} side by\n"
      "side on the same events and reports, per trainer, training time per 1,000 targets, peak memory (each\n"
      "trainer runs in its own forked child: its peak RSS above the parent's image, VmHWM after a reset),\n"
      "achieved GFLOP/s against the machine's matmul peak measured in the same run, held-out AUC and\n"
      "logloss (the last 10% of each user's impressions by time), and for DTI the leakage gap; then the\n"
      "ratios, and optional sweeps of the BAHE pair over n and k. BAHE vectors come from the model's\n"
      "shallow layers, computed once per distinct text before training (timed apart). One torch thread\n"
      "(BLAS threads its own matmuls), as in bench model.\n\noptions");
  flags.add_options()("help,h", "print this help")(
      "model", po::value(&f->model_dir)->default_value(f->model_dir), "Hugging Face model directory (bahectl model init --out DIR makes a random one)")(
      "events", po::value(&f->events)->multitoken()->default_value(f->events, f->events[0]), "contract-v1 event logs (JSON lines), e.g. also data/synth/events.jsonl")(
      "n-layers-shallow", po::value(&f->n_layers_shallow)->default_value(f->n_layers_shallow), "frozen layers L_s; the rest are trained")(
      "n-context", po::value(&f->n_context)->default_value(f->n_context), "n: behaviors a target sees")(
      "k", po::value(&f->k)->default_value(f->k), "targets per DTI row")(
      "epochs", po::value(&f->run.epochs)->default_value(f->run.epochs), "passes over the training targets")(
      "max-users", po::value(&f->max_users)->default_value(f->max_users), "use at most this many users (seeded choice; 0: all)")(
      "max-targets", po::value(&f->max_targets)->default_value(f->max_targets),
      "token-level trainers train on this many targets (0: all) of users drawn in proportion to their\n"
      "targets, so contexts are as long as in the whole data; time is per 1,000 targets all the same,\n"
      "AUC on those users' held-out targets")(
      "trainers", po::value(&f->trainers)->default_value(f->trainers), "which of the four to run, comma-separated")(
      "sweep-n", po::value(&sweep_n), "also run BAHE sliding and DTI at these n, e.g. 10,20,50,100")(
      "sweep-k", po::value(&sweep_k), "also run BAHE DTI at these k, e.g. 5,10,20,50,100")(
      "targets-per-step", po::value(&t.n_targets_per_step)->default_value(t.n_targets_per_step), "targets per optimizer step (whole rows)")(
      "max-padded-slots", po::value(&t.batch.max_padded_slots)->default_value(t.batch.max_padded_slots), "micro-batch bound: rows x longest row")(
      "max-rows", po::value(&t.batch.max_rows)->default_value(t.batch.max_rows), "micro-batch bound: rows")(
      "lr", po::value(&t.lr)->default_value(t.lr, "0.0003"), "AdamW peak learning rate")(
      "warmup-steps", po::value(&t.warmup_steps)->default_value(t.warmup_steps), "linear warm-up steps")(
      "forgetting", po::value(&t.model.forgetting)->default_value(t.model.forgetting), "DTI forgetting penalty per behavior of distance")(
      "position-scheme", po::value(&position_scheme)->default_value(position_scheme), "alibi or rotary")(
      "separate-sum-slot", po::bool_switch(&separate_sum_slot), "BAHE: an item slot and a SUM slot per target (default: one fused slot)")(
      "seed", po::value(&t.seed)->default_value(t.seed), "seed of initialization, row order and user choice")(
      "progress-every", po::value(&f->run.progress_every_s)->default_value(f->run.progress_every_s), "seconds between progress lines on stderr (0: none)")(
      "plot", po::value(&f->plot), "write a PNG here (gnuplot)")(
      "json", po::bool_switch(&f->json), "print one JSON object instead of the tables");
  po::variables_map vm;
  if (auto exit_code = parse_command_line(argc, argv, flags, &vm)) return exit_code;
  auto bad = [&](const std::string& message) {
    std::cerr << argv[0] << ": " << message << "\n";
    return std::optional<int>(2);
  };
  const auto scheme = trainer::parse_position_scheme(position_scheme);
  if (!scheme) return bad("--position-scheme must be alibi or rotary");
  t.model.position_scheme = *scheme;
  t.fused_target_slot = !separate_sum_slot;
  if (f->run.epochs < 1 || f->k < 2) return bad("--epochs must be >= 1 and --k >= 2");
  if (const Status s = t.validate(); !s.is_ok()) return bad(s.to_string());
  try {
    f->sweep_ns = parse_list(sweep_n);
    f->sweep_ks = parse_list(sweep_k);
  } catch (const std::exception&) {
    return bad("--sweep-n and --sweep-k take comma-separated integers");
  }
  return std::nullopt;
}

// Everything the trainers share, built once before the first fork.
struct Prepared {
  TrainBenchData data;
  std::vector<size_t> users;  // after --max-users
  std::unique_ptr<encoder::ShallowTextEncoder> encoder;
  torch::Tensor vectors;      // [n_texts, hidden]
  trainer::TokenTable tokens;
  int64_t n_tokens = 0;
  double load_s = 0, encode_s = 0;
};

Result<Prepared> prepare(const Flags& f) {
  Prepared p;
  const auto t_load = Clock::now();
  TrainBenchDataOptions data_options;
  data_options.event_files = f.events;
  BAHED_ASSIGN_OR_RETURN(p.data, load_train_bench_data(data_options));
  p.load_s = seconds_since(t_load);
  p.users.resize(p.data.users.size());
  std::iota(p.users.begin(), p.users.end(), size_t{0});
  if (f.max_users > 0 && static_cast<size_t>(f.max_users) < p.users.size()) {
    std::mt19937_64 rng(f.run.trainer.seed);
    std::shuffle(p.users.begin(), p.users.end(), rng);
    p.users.resize(static_cast<size_t>(f.max_users));
    std::sort(p.users.begin(), p.users.end());
  }
  encoder::LlmOptions llm;
  llm.model_dir = f.model_dir;
  llm.n_layers_shallow = f.n_layers_shallow;
  BAHED_ASSIGN_OR_RETURN(p.encoder, encoder::ShallowTextEncoder::load(llm, encoder::ShallowEncoderOptions{}));
  std::cerr << "bench train: " << p.data.n_impressions << " impressions of " << p.data.users.size() << " users, "
            << p.data.texts.size() << " distinct texts; encoding them with the shallow layers...\n";
  const auto t_encode = Clock::now();
  BAHED_ASSIGN_OR_RETURN(std::vector<float> encoded, p.encoder->encode(p.data.texts));
  p.encode_s = seconds_since(t_encode);
  const auto n_texts = static_cast<int64_t>(p.data.texts.size());
  p.vectors = torch::from_blob(encoded.data(), {n_texts, static_cast<int64_t>(p.encoder->dimension())}, torch::kFloat32)
                  .clone();
  p.tokens = tokenize_texts(p.encoder->tokenizer(), p.data.texts, encoder::ShallowEncoderOptions{}.max_tokens);
  for (int64_t id = 0; id < p.tokens.size(); ++id) p.n_tokens += p.tokens.n_tokens(id);
  return p;
}

// The selected trainers, then the sweeps, each in its own child.
Result<TrainBenchResults> run_all(const Flags& f, const Prepared& p, const TrainBenchData& token_data) {
  TrainBenchResults results;
  const Inputs inputs{p.data, p.encoder->model(), p.vectors, p.tokens, f.run};
  const Inputs token_inputs{token_data, p.encoder->model(), p.vectors, p.tokens, f.run};
  std::vector<size_t> token_users(token_data.users.size());
  std::iota(token_users.begin(), token_users.end(), size_t{0});
  for (const std::string name : {"token_sliding", "token_dti", "bahe_sliding", "bahe_dti"}) {
    if (("," + f.trainers + ",").find("," + name + ",") == std::string::npos) continue;
    const bool by_token = name.rfind("token", 0) == 0;
    const auto granularity = by_token ? trainer::SlotGranularity::kToken : trainer::SlotGranularity::kBehavior;
    const int64_t k = name.find("dti") != std::string::npos ? f.k : 1;
    BAHED_ASSIGN_OR_RETURN(TrainerOutcome outcome,
                           run_one(by_token ? token_inputs : inputs, by_token ? token_users : p.users,
                                   setup_of(granularity, f.n_context, k, false)));
    results.trainers.push_back(std::move(outcome));
  }
  for (const int64_t n : f.sweep_ns) {
    for (const int64_t k : {int64_t{1}, f.k}) {
      BAHED_ASSIGN_OR_RETURN(TrainerOutcome outcome,
                             run_one(inputs, p.users, setup_of(trainer::SlotGranularity::kBehavior, n, k, true)));
      results.sweep_n.push_back(std::move(outcome));
    }
  }
  for (const int64_t k : f.sweep_ks) {
    BAHED_ASSIGN_OR_RETURN(TrainerOutcome outcome,
                           run_one(inputs, p.users, setup_of(trainer::SlotGranularity::kBehavior, f.n_context, k, true)));
    results.sweep_k.push_back(std::move(outcome));
  }
  return results;
}

void add_context(const Flags& f, const Prepared& p, const TrainBenchData& token_data, BenchReport& report) {
  const encoder::ModelConfig& c = p.encoder->model()->config();
  const trainer::TrainerOptions& t = f.run.trainer;
  std::string files;
  for (const std::string& file : f.events) files += (files.empty() ? "" : " ") + file;
  report.context("events", files);
  report.context("data", std::to_string(p.data.n_impressions) + " impressions, " + std::to_string(p.users.size()) +
                             " users used, " + std::to_string(p.data.texts.size()) + " texts (" +
                             std::to_string(p.n_tokens) + " tokens)");
  report.context("model", f.model_dir + ": d=" + std::to_string(c.hidden_size) + " layers=" +
                              std::to_string(c.n_layers) + " (" + std::to_string(f.n_layers_shallow) + " shallow)");
  report.context("rows", "n=" + std::to_string(f.n_context) + " k=" + std::to_string(f.k) + ", " +
                             (t.fused_target_slot ? "fused" : "separate") + " BAHE target slots, " +
                             std::string(trainer::position_scheme_name(t.model.position_scheme)));
  report.context("steps", std::to_string(t.n_targets_per_step) + " targets/step, micro-batches <= " +
                              std::to_string(t.batch.max_rows) + " rows, <= " +
                              std::to_string(t.batch.max_padded_slots) + " slots; " + std::to_string(f.run.epochs) +
                              " epoch(s), lr " + std::to_string(t.lr));
  report.context("token-level subset",
                 f.max_targets > 0 ? std::to_string(token_data.n_train_targets()) + " training targets of " +
                                         std::to_string(token_data.users.size()) +
                                         " users drawn by target count; time is per 1,000 targets, AUC on their " +
                                         std::to_string(token_data.n_held_out_targets()) + " held-out targets"
                                   : "all users");
  report.context("memory", "peak RSS of each trainer's forked child above its start (VmHWM after clear_refs)");
}

}  // namespace

int run_bench_train(int argc, char** argv) {
  Flags f;
  if (auto exit_code = parse_flags(argc, argv, &f)) return *exit_code;
  auto fail = [&](const Status& status) {
    std::cerr << argv[0] << ": " << status.to_string() << "\n";
    return 1;
  };
  if (!std::filesystem::exists(std::filesystem::path(f.model_dir) / "config.json")) {
    return fail(Status::not_found("no model in " + f.model_dir + " (bahectl pretrain, or bahectl model init --out " +
                                  f.model_dir + ")"));
  }
  // One torch thread: OpenBLAS spreads each matmul over the cores, and
  // OpenMP thread pools do not survive fork() (a child would hang).
  at::set_num_threads(1);
  auto prepared = prepare(f);
  if (!prepared.is_ok()) return fail(prepared.status());
  const Prepared& p = *prepared;
  TrainBenchData all_users;  // --max-targets 0: the token-level trainers use every user too
  if (f.max_targets <= 0) {
    for (const size_t u : p.users) all_users.users.push_back(p.data.users[u]);
  }
  const TrainBenchData token_data = f.max_targets > 0
                                        ? representative_subset(p.data, p.users, f.max_targets, f.run.trainer.seed)
                                        : std::move(all_users);

  const MatmulPeak peak_before = measure_matmul_peak();
  const auto t_train = Clock::now();
  auto results = run_all(f, p, token_data);
  if (!results.is_ok()) return fail(results.status());
  const double train_all_s = seconds_since(t_train);
  const MatmulPeak peak_after = measure_matmul_peak();
  results->matmul_peak_gflops = std::max(peak_before.gflops, peak_after.gflops);

  BenchReport report("bench train: {token-level, BAHE} x {sliding window, DTI} on the same events");
  add_context(f, p, token_data, report);
  report.figure("load_seconds", "read and split events", p.load_s, "s");
  report.figure("encode_seconds", "shallow encode of every distinct text", p.encode_s, "s");
  report.figure("encode_texts_per_s", "shallow encode rate", static_cast<double>(p.data.texts.size()) / p.encode_s,
                "texts/s");
  report.figure("train_all_seconds", "all trainer runs (children), wall", train_all_s, "s");
  report.figure("matmul_peak_gflops", "matmul peak (fp32 1024^3, best of before/after)", results->matmul_peak_gflops,
                "GFLOP/s");
  add_train_bench_tables(*results, report);
  report.print(f.json);
  if (!f.plot.empty()) {
    if (const Status s = plot_png(f.plot, train_bench_panels(*results)); !s.is_ok()) return fail(s);
    std::cerr << "bench train: wrote " << f.plot << "\n";
  }
  return 0;
}

}  // namespace bahed::ctl
