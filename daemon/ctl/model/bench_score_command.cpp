// bahectl bench score: what a serving system gets from a published version
// through bahed_scorer: candidates scored per second (one user x C
// candidates, and B users x C in one batch next to the same B users one by
// one), the time to load and verify a version, and request latency while a
// watcher swaps versions underneath a steady request stream.
#include <boost/program_options.hpp>

#include <algorithm>
#include <cstdlib>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <limits>
#include <random>
#include <set>
#include <thread>

#include "checkpoints/checkpoint_publisher.h"
#include "checkpoints/scorer/ctr_scorer.h"
#include "checkpoints/scorer/scorer_watcher.h"
#include "checkpoints/version_layout.h"
#include "daemon/ctl/bench_report.h"
#include "daemon/ctl/command_line.h"
#include "daemon/ctl/ctl_command.h"
#include "daemon/ctl/model/scorer_options_from_config.h"
#include "daemon/ctl/event_log_reader.h"
#include "daemon/daemon_config.h"
#include "encoder/llm/compute_threads.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace bahed::ctl {
namespace {

using SteadyClock = std::chrono::steady_clock;

double seconds_since(SteadyClock::time_point start) { return std::chrono::duration<double>(SteadyClock::now() - start).count(); }

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const auto i = static_cast<size_t>(q * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(i, values.size() - 1)];
}

// Scoring requests built from real users: their stored histories, and
// candidates drawn from the items other users saw.
struct Workload {
  std::vector<checkpoints::ScoreRequest> requests;  // one per user
};

Result<Workload> build_workload(checkpoints::CtrScorer& scorer, const std::vector<std::string>& users, size_t n_users,
                                size_t n_candidates, const std::string& item_feature) {
  Workload w;
  std::set<std::string> pool_set;
  std::vector<std::vector<checkpoints::ScoreBehavior>> histories;
  for (const std::string& user : users) {
    if (histories.size() == n_users) break;
    BAHED_ASSIGN_OR_RETURN(auto history, scorer.user_history(user));
    if (history.empty()) continue;
    for (const auto& b : history) {
      if (b.feature == item_feature) pool_set.insert(b.text);
    }
    histories.push_back(std::move(history));
  }
  if (histories.size() < n_users || pool_set.size() < n_candidates) {
    return Status::not_found("bench score: the store holds " + std::to_string(histories.size()) + " users with a history and " +
                             std::to_string(pool_set.size()) + " items; need " + std::to_string(n_users) + " and " +
                             std::to_string(n_candidates) + " (run the daemon on the log first, e.g. ops/run_demo.sh)");
  }
  const std::vector<std::string> pool(pool_set.begin(), pool_set.end());
  std::mt19937_64 rng(7);
  for (auto& history : histories) {
    checkpoints::ScoreRequest r;
    r.history = std::move(history);
    std::vector<std::string> picked;
    std::sample(pool.begin(), pool.end(), std::back_inserter(picked), n_candidates, rng);
    std::shuffle(picked.begin(), picked.end(), rng);
    r.candidates = std::move(picked);
    w.requests.push_back(std::move(r));
  }
  return w;
}

struct Throughput {
  double candidates_per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  int64_t calls = 0;
};

// Scores `requests` as one batch (or one by one) repeatedly for `seconds`.
Result<Throughput> measure(checkpoints::CtrScorer& scorer, std::span<const checkpoints::ScoreRequest> requests,
                           bool one_by_one, double seconds) {
  auto call = [&]() -> Status {
    if (one_by_one) {
      for (const auto& r : requests) BAHED_RETURN_IF_ERROR(scorer.score(r).status());
      return Status::ok();
    }
    return scorer.score_batch(requests).status();
  };
  BAHED_RETURN_IF_ERROR(call());  // warm-up: first-touch allocations
  size_t n_candidates = 0;
  for (const auto& r : requests) n_candidates += r.candidates.size();
  std::vector<double> latencies_ms;
  const auto start = SteadyClock::now();
  do {
    const auto t = SteadyClock::now();
    BAHED_RETURN_IF_ERROR(call());
    latencies_ms.push_back(seconds_since(t) * 1e3);
  } while (seconds_since(start) < seconds || latencies_ms.size() < 3);
  const double elapsed = seconds_since(start);
  Throughput out;
  out.calls = static_cast<int64_t>(latencies_ms.size());
  out.candidates_per_s = static_cast<double>(n_candidates) * static_cast<double>(out.calls) / elapsed;
  out.p50_ms = percentile(latencies_ms, 0.5);
  out.p99_ms = percentile(latencies_ms, 0.99);
  return out;
}

// A publish directory of our own, so versions can be published under a
// watcher without touching the daemon's: each is the source version's model
// and manifest fields again (same bytes to load and verify as a real one).
class ScratchPublisher {
 public:
  static Result<ScratchPublisher> open(const checkpoints::VersionInfo& source, const fs::path& dir, const Clock& clock) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    checkpoints::PublisherOptions options;
    options.publish_dir = dir;
    options.keep_versions = 3;
    BAHED_ASSIGN_OR_RETURN(auto publisher, checkpoints::CheckpointPublisher::open(options, clock, make_null_logger("bench")));
    return ScratchPublisher(source, std::move(publisher));
  }

  Result<int64_t> publish() {
    const fs::path model = source_.dir / "model.safetensors";
    BAHED_ASSIGN_OR_RETURN(auto published,
                           publisher_->publish(source_.manifest.fields,
                                               {{"model.safetensors", [&](const fs::path& file) -> Status {
                                                   std::error_code ec;
                                                   fs::copy_file(model, file, ec);
                                                   if (ec) return Status::io_error("copy " + model.string() + ": " + ec.message());
                                                   return Status::ok();
                                                 }}}));
    return published.version;
  }

 private:
  ScratchPublisher(checkpoints::VersionInfo source, std::unique_ptr<checkpoints::CheckpointPublisher> publisher)
      : source_(std::move(source)), publisher_(std::move(publisher)) {}
  checkpoints::VersionInfo source_;
  std::unique_ptr<checkpoints::CheckpointPublisher> publisher_;
};

struct SwapFigures {
  int64_t swaps = 0;
  int64_t requests = 0;
  int64_t failed = 0;
  double load_ms_mean = 0;
  double steady_p50_ms = 0, steady_p99_ms = 0, steady_max_ms = 0;
  double swap_p50_ms = 0, swap_p99_ms = 0, swap_max_ms = 0;
};

// One client thread scores `request` back to back through the watcher
// while versions are published; a request counts as "during a swap" when
// it overlaps the time from LATEST moving to the watcher serving the new
// version (the load and verification on the watcher's thread).
Result<SwapFigures> measure_swaps(checkpoints::ScorerOptions options, const checkpoints::ScoreRequest& request,
                                  ScratchPublisher& publisher, int n_swaps) {
  BAHED_RETURN_IF_ERROR(publisher.publish().status());
  checkpoints::WatcherOptions watch;
  watch.poll_interval_ms = 20;
  BAHED_ASSIGN_OR_RETURN(auto watcher, checkpoints::ScorerWatcher::start(options, watch, make_null_logger("watcher")));
  struct Sample {
    SteadyClock::time_point start, end;
    bool ok;
  };
  std::vector<Sample> samples;
  std::atomic<bool> stop{false};
  std::jthread client([&] {
    while (!stop.load()) {
      const auto t = SteadyClock::now();
      const bool ok = watcher->current()->score(request).is_ok();
      samples.push_back({t, SteadyClock::now(), ok});
    }
  });
  using Window = std::pair<SteadyClock::time_point, SteadyClock::time_point>;
  std::vector<Window> windows, publishing;
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  double load_ms_sum = 0;
  Status failure = Status::ok();
  for (int i = 0; i < n_swaps && failure.is_ok(); ++i) {
    const auto publish_begin = SteadyClock::now();
    auto version = publisher.publish();
    if (!version.is_ok()) {
      failure = version.status();
      break;
    }
    // The daemon publishes from another process, usually another machine:
    // requests during this bench's own publication (its fsyncs) are
    // counted in neither group.
    const auto begin = SteadyClock::now();
    publishing.emplace_back(publish_begin, begin);
    while (watcher->metrics().serving_version.load() != *version && seconds_since(begin) < 120) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (watcher->metrics().serving_version.load() != *version) {
      failure = Status::internal("bench score: the watcher did not swap to v" + std::to_string(*version) + " in 120 s");
      break;
    }
    windows.emplace_back(begin, SteadyClock::now());
    load_ms_sum += static_cast<double>(watcher->metrics().last_load_ms.load());
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  }
  stop.store(true);
  client.join();
  BAHED_RETURN_IF_ERROR(failure);
  SwapFigures f;
  f.swaps = static_cast<int64_t>(windows.size());
  f.load_ms_mean = load_ms_sum / std::max<double>(1, static_cast<double>(windows.size()));
  std::vector<double> steady, during;
  for (const Sample& s : samples) {
    ++f.requests;
    if (!s.ok) ++f.failed;
    const double ms = std::chrono::duration<double, std::milli>(s.end - s.start).count();
    auto overlaps = [&](const std::vector<Window>& ws) {
      return std::any_of(ws.begin(), ws.end(), [&](const Window& w) { return s.start < w.second && s.end > w.first; });
    };
    if (overlaps(windows)) {
      during.push_back(ms);
    } else if (!overlaps(publishing)) {
      steady.push_back(ms);
    }
  }
  f.steady_p50_ms = percentile(steady, 0.5);
  f.steady_p99_ms = percentile(steady, 0.99);
  f.steady_max_ms = steady.empty() ? 0 : *std::max_element(steady.begin(), steady.end());
  f.swap_p50_ms = percentile(during, 0.5);
  f.swap_p99_ms = percentile(during, 0.99);
  f.swap_max_ms = during.empty() ? 0 : *std::max_element(during.begin(), during.end());
  return f;
}

}  // namespace

int run_bench_score(int argc, char** argv) {
  std::string config_file, checkpoint, events = "data/movielens/events.jsonl", scratch = "var/bench-score";
  std::vector<std::string> overrides;
  int64_t version = 0, candidates = 100, batch_users = 64, n_swaps = 3, n_loads = 3;
  double seconds = 3;
  bool json = false;
  po::options_description flags(
      "bahectl bench score: the scorer library (bahed_scorer) on a published version and the daemon's store:\n"
      "  - candidates/s for 1 user x C candidates, and for B users x C in one batch beside the same B users\n"
      "    scored one by one (same run, so the ratio holds on a noisy machine);\n"
      "  - time to load and verify a version (CtrScorer::open);\n"
      "  - request latency while a ScorerWatcher swaps versions: versions are re-published into a scratch\n"
      "    directory under a client scoring 1 x C back to back; failed requests must be 0.\n"
      "    The load competes with requests for the cores: run with OPENBLAS_NUM_THREADS below the core count\n"
      "    to leave the watcher one (on 2 cores: 1.15x p99 during swaps with 1 BLAS thread, 6.5x with 2).\n"
      "Users and their histories come from the store (the daemon must be stopped, e.g. after ops/run_demo.sh);\n"
      "pass bahed's --config.\n\noptions");
  flags.add_options()("help,h", "print this help")(
      "config,c", po::value(&config_file), "bahed's YAML configuration (encoder.*, store.*, checkpoints.publish_dir)")(
      "set", po::value(&overrides)->composing(), "override one key as bahed --set does (repeatable)")(
      "checkpoint", po::value(&checkpoint), "publish directory (default: checkpoints.publish_dir)")(
      "version", po::value(&version)->default_value(0), "version to load; 0 = the newest valid")(
      "events", po::value(&events)->default_value(events), "event log whose users (message keys) are scored")(
      "candidates", po::value(&candidates)->default_value(candidates), "candidates per user (C)")(
      "batch-users", po::value(&batch_users)->default_value(batch_users), "users per batch (B)")(
      "seconds", po::value(&seconds)->default_value(seconds), "time per throughput measurement")(
      "loads", po::value(&n_loads)->default_value(n_loads), "version loads timed")(
      "swaps", po::value(&n_swaps)->default_value(n_swaps), "version swaps under load")(
      "scratch-dir", po::value(&scratch)->default_value(scratch), "scratch publish directory (replaced, removed at the end)")(
      "json", po::bool_switch(&json), "print one JSON object instead of the table");
  po::variables_map vm;
  if (auto exit_code = parse_command_line(argc, argv, flags, &vm)) return *exit_code;
  auto fail = [&](const Status& s) {
    std::cerr << argv[0] << ": " << s.to_string() << "\n";
    return 1;
  };
  if (candidates < 1 || batch_users < 1 || n_swaps < 0 || n_loads < 1 || !(seconds > 0)) {
    std::cerr << argv[0] << ": --candidates, --batch-users and --loads must be >= 1, --swaps >= 0, --seconds > 0\n";
    return 2;
  }
  daemon::DaemonConfig config;
  if (auto exit_code = load_daemon_config(config_file, overrides, argv[0], &config)) return *exit_code;
  encoder::set_compute_threads(static_cast<int>(config.runtime.torch_threads));
  checkpoints::ScorerOptions options = scorer_options_from_config(config, checkpoint, version);

  auto log = read_keyed_event_log(events, 0);
  if (!log.is_ok()) return fail(log.status());
  std::vector<std::string> users;
  {
    std::set<std::string> seen;
    for (const std::string& key : log->keys) {
      if (seen.insert(key).second) users.push_back(key);
    }
  }

  // Loads, timed (each verifies every file and the fingerprints).
  std::vector<double> load_ms;
  std::unique_ptr<checkpoints::CtrScorer> scorer;
  for (int64_t i = 0; i < n_loads; ++i) {
    scorer.reset();
    const auto t = SteadyClock::now();
    auto opened = checkpoints::CtrScorer::open(options, make_null_logger("scorer"));
    if (!opened.is_ok()) return fail(opened.status());
    load_ms.push_back(seconds_since(t) * 1e3);
    scorer = std::move(opened).value();
  }
  auto workload = build_workload(*scorer, users, static_cast<size_t>(batch_users), static_cast<size_t>(candidates),
                                 options.item_feature);
  if (!workload.is_ok()) return fail(workload.status());
  const std::span<const checkpoints::ScoreRequest> all(workload->requests);

  auto single = measure(*scorer, all.first(1), false, seconds);
  if (!single.is_ok()) return fail(single.status());
  auto batched = measure(*scorer, all, false, seconds);
  if (!batched.is_ok()) return fail(batched.status());
  auto one_by_one = measure(*scorer, all, true, seconds);
  if (!one_by_one.is_ok()) return fail(one_by_one.status());

  SwapFigures swaps;
  if (n_swaps > 0) {
    SystemClock clock;
    auto publisher = ScratchPublisher::open(scorer->version(), scratch, clock);
    if (!publisher.is_ok()) return fail(publisher.status());
    checkpoints::ScorerOptions scratch_options = options;
    scratch_options.publish_dir = scratch;
    scratch_options.version = 0;
    const checkpoints::ScoreRequest request = workload->requests.front();
    scorer.reset();  // as a server holds one model, the watcher's
    auto measured = measure_swaps(scratch_options, request, *publisher, static_cast<int>(n_swaps));
    publisher = Status::aborted("closed");  // releases the scratch directory's lock
    std::error_code ec;
    fs::remove_all(scratch, ec);
    if (!measured.is_ok()) return fail(measured.status());
    swaps = *measured;
  }

  const std::string b = std::to_string(batch_users), c = std::to_string(candidates);
  BenchReport report("bench score: bahed_scorer on a published version and the daemon's store");
  report.context("publish_dir", options.publish_dir.string());
  report.context("store", options.store_path.string());
  report.context("model", options.llm.model_dir);
  report.context("torch_threads", std::to_string(config.runtime.torch_threads));
  const char* blas_threads = std::getenv("OPENBLAS_NUM_THREADS");
  report.context("OPENBLAS_NUM_THREADS", blas_threads ? blas_threads : "(unset: every core)");
  report.figure("load_ms_median", "load + verify a version (median of " + std::to_string(n_loads) + ")",
                percentile(load_ms, 0.5), "ms");
  report.figure("single_candidates_per_s", "1 user x " + c + " candidates", single->candidates_per_s, "candidates/s");
  report.figure("single_p50_ms", "  latency p50", single->p50_ms, "ms");
  report.figure("single_p99_ms", "  latency p99", single->p99_ms, "ms");
  report.figure("batch_candidates_per_s", b + " users x " + c + " in one batch", batched->candidates_per_s, "candidates/s");
  report.figure("batch_p50_ms", "  latency p50", batched->p50_ms, "ms");
  report.figure("one_by_one_candidates_per_s", b + " users x " + c + " one by one", one_by_one->candidates_per_s,
                "candidates/s");
  report.figure("batch_speedup", "one batch / one by one", batched->candidates_per_s / one_by_one->candidates_per_s, "x");
  if (n_swaps > 0) {
    report.figure("swaps", "version swaps under load", static_cast<double>(swaps.swaps), "");
    report.figure("swap_load_ms_mean", "  load + verify in the watcher (mean)", swaps.load_ms_mean, "ms");
    report.figure("swap_requests", "  requests scored (1 x " + c + ")", static_cast<double>(swaps.requests), "");
    report.figure("swap_failed_requests", "  requests failed", static_cast<double>(swaps.failed), "");
    report.figure("steady_p50_ms", "  latency p50 without a swap", swaps.steady_p50_ms, "ms");
    report.figure("steady_p99_ms", "  latency p99 without a swap", swaps.steady_p99_ms, "ms");
    report.figure("steady_max_ms", "  latency max without a swap", swaps.steady_max_ms, "ms");
    report.figure("swap_p50_ms", "  latency p50 during swaps", swaps.swap_p50_ms, "ms");
    report.figure("swap_p99_ms", "  latency p99 during swaps", swaps.swap_p99_ms, "ms");
    report.figure("swap_max_ms", "  latency max during swaps", swaps.swap_max_ms, "ms");
    report.figure("swap_p99_ratio", "  p99 during / without swaps", swaps.swap_p99_ms / swaps.steady_p99_ms, "x");
  }
  report.print(json);
  return swaps.failed == 0 ? 0 : 1;
}

}  // namespace bahed::ctl
