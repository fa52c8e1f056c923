// `bahectl data synth`: generates the MovieLens-1M-shaped synthetic log (see
// synth_dataset.h), prints its statistics, and writes the event log plus
// `<out>.stats.json`.
#include <sys/resource.h>

#include <boost/program_options.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "daemon/ctl/ctl_command.h"
#include "daemon/ctl/progress_bar.h"
#include "daemon/ctl/synth_dataset.h"

namespace bahed::ctl {

namespace {

namespace po = boost::program_options;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// Where the log goes when --out is not given: one directory per scale, so
// the sizes never overwrite each other.
std::string default_out(int64_t scale) {
  return scale == 1 ? "data/synth/events.jsonl" : "data/synth-x" + std::to_string(scale) + "/events.jsonl";
}

// Boost's lexical_cast accepts "-1" for an unsigned value (it wraps), so the
// seed is parsed strictly here.
bool parse_seed(const std::string& text, uint64_t* seed) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, *seed);
  return !text.empty() && ec == std::errc() && ptr == end;
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int usage_error(const char* prog, const std::string& message) {
  std::fprintf(stderr, "%s: %s\nRun '%s --help' for the options.\n", prog, message.c_str(), prog);
  return kExitUsage;
}

// What the command line asks for.
struct SynthCommandLine {
  SynthOptions options;
  std::string out;
  bool stats_only = false;
};

// Fills `cl` from argv. Returns the exit code to stop with (after --help or
// a usage error), or nullopt to go on.
std::optional<int> parse_command_line(int argc, char** argv, SynthCommandLine* cl) {
  const char* prog = argv[0];
  std::string seed_text;
  po::options_description desc("options");
  desc.add_options()
      ("help,h", "print this help and exit")
      ("out", po::value<std::string>(&cl->out),
       "event log to write (contract-v1 JSON lines); statistics go to <out>.stats.json "
       "(default: data/synth/events.jsonl, or data/synth-x<scale>/events.jsonl when --scale is not 1)")
      ("scale", po::value<int64_t>(&cl->options.scale)->default_value(cl->options.scale),
       "multiplies users, items and ratings; 1 is MovieLens-1M's size (6040 users, 3706 items, 1000209 "
       "ratings), 100 is 100M ratings in about 1.7 GB of memory")
      ("seed", po::value<std::string>(&seed_text)->default_value(std::to_string(cl->options.seed)),
       "seed of every random draw: the same seed and scale give the same log")
      ("stats-only", po::bool_switch(&cl->stats_only)->default_value(false),
       "generate and print the statistics, write no file");
  po::variables_map vm;
  try {
    // No positional arguments: a stray word is an error, not silently ignored.
    const po::positional_options_description no_positionals;
    po::store(po::command_line_parser(argc, argv).options(desc).positional(no_positionals).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage_error(prog, e.what());
  }
  if (vm.count("help")) {
    std::printf("usage: %s [options]\n\n"
                "Generates a seeded synthetic impression log shaped like MovieLens-1M (exact rating\n"
                "histogram, long-tailed users, Zipf-like items, learnable signal; label = rating >= 4).\n\n",
                prog);
    std::cout << desc << "\n";
    return kExitOk;
  }
  if (!parse_seed(seed_text, &cl->options.seed))
    return usage_error(prog, "--seed must be an unsigned integer, got '" + seed_text + "'");
  if (const Status s = cl->options.validate(); !s.is_ok()) return usage_error(prog, "--scale: " + s.message());
  if (cl->out.empty()) cl->out = default_out(cl->options.scale);
  return std::nullopt;
}

int fail(const char* prog, const Status& status) {
  std::fprintf(stderr, "%s: %s\n", prog, status.to_string().c_str());
  return kExitFailed;
}

}  // namespace

int run_data_synth(int argc, char** argv) {
  const char* prog = argv[0];  // "bahectl data synth", per ctl_command.h
  SynthCommandLine cl;
  if (const std::optional<int> exit_code = parse_command_line(argc, argv, &cl)) return *exit_code;

  const auto start = std::chrono::steady_clock::now();
  Result<SynthDataset> dataset = generate_synth_dataset(cl.options, [&](std::string_view stage) {
    std::fprintf(stderr, "synth: [%7.1f s] %.*s\n", seconds_since(start), static_cast<int>(stage.size()), stage.data());
  });
  if (!dataset.is_ok()) return fail(prog, dataset.status());
  const double generate_s = seconds_since(start);
  std::fprintf(stderr, "synth: [%7.1f s] generated, peak memory %.0f MB\n", generate_s, peak_rss_mb());
  const SynthStats stats = compute_synth_stats(*dataset);
  std::printf("seed %llu, scale %lld\n%s", static_cast<unsigned long long>(cl.options.seed),
              static_cast<long long>(cl.options.scale), format_synth_stats(stats).c_str());
  std::fflush(stdout);
  if (cl.stats_only) return kExitOk;

  ProgressBar progress("writing " + cl.out, stats.n_ratings);
  if (const Status s = write_synth_event_log(*dataset, cl.out, &progress); !s.is_ok()) return fail(prog, s);
  const std::string stats_path = cl.out + ".stats.json";
  if (const Status s = write_synth_stats(stats, cl.options, stats_path); !s.is_ok()) return fail(prog, s);
  std::printf("wrote %s and %s (generated in %.1f s, total %.1f s, peak memory %.0f MB)\n", cl.out.c_str(),
              stats_path.c_str(), generate_s, seconds_since(start), peak_rss_mb());
  return kExitOk;
}

}  // namespace bahed::ctl
