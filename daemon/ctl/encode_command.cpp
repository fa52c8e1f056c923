// bahectl encode: fills the behavior store ahead of the daemon, with the
// daemon's own configuration (model, split, store, templates):
//  --events FILE  encodes every behavior of an event log (a warm start: the
//                 daemon then finds them all), without touching histories,
//                 whose Kafka positions belong to the daemon;
//  --backfill     after a model change, encodes under the new encoder
//                 version every behavior named in the stored histories, from
//                 its stored text.
#include <boost/program_options.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <unordered_set>

#include "common/clock.h"
#include "consumers/event_decoder.h"
#include "daemon/config_loader.h"
#include "daemon/ctl/bench_report.h"
#include "daemon/ctl/command_line.h"
#include "daemon/ctl/ctl_command.h"
#include "daemon/ctl/progress_bar.h"
#include "encoder/behavior_encoder.h"
#include "encoder/llm/compute_threads.h"
#include "encoder/shallow_encoder_options.h"

namespace po = boost::program_options;

namespace bahed::ctl {
namespace {

struct Totals {
  int64_t lines = 0;
  int64_t rejected = 0;
  uint64_t distinct = 0;  // summed over chunks
  uint64_t hits = 0;
  uint64_t encoded = 0;
  uint64_t missing_text = 0;
};

void add(Totals& t, const encoder::PrefetchReport& r) {
  t.distinct += r.distinct;
  t.hits += r.hits;
  t.encoded += r.encoded;
  t.missing_text += r.missing_text;
}

Status encode_log(const std::string& path, size_t chunk, encoder::BehaviorEncoder& encoder, Totals& totals) {
  std::ifstream in(path);
  if (!in) return Status::not_found("cannot open --events " + path);
  in.seekg(0, std::ios::end);
  const int64_t size = in.tellg();
  in.seekg(0);
  consumers::DecodeOptions options;
  options.require_key_match = false;  // a log file has no Kafka keys
  consumers::EventDecoder decoder(options);
  SystemClock clock;
  ProgressBar bar("encode", size, "bytes");
  std::vector<Event> events;
  std::string line;
  int64_t read_bytes = 0;
  auto flush = [&]() -> Status {
    if (events.empty()) return Status::ok();
    BAHED_ASSIGN_OR_RETURN(auto report, encoder.prefetch(events));
    add(totals, report);
    events.clear();
    bar.update(read_bytes, "encoded=" + std::to_string(totals.encoded));
    return Status::ok();
  };
  while (std::getline(in, line)) {
    ++totals.lines;
    read_bytes += static_cast<int64_t>(line.size()) + 1;
    Event e;
    if (!decoder.decode("offline", line, clock.now_ms(), &e).ok) {
      ++totals.rejected;
      continue;
    }
    events.push_back(std::move(e));
    if (events.size() >= chunk) BAHED_RETURN_IF_ERROR(flush());
  }
  BAHED_RETURN_IF_ERROR(flush());
  bar.finish(read_bytes, "encoded=" + std::to_string(totals.encoded));
  return Status::ok();
}

Status backfill(encoder::BehaviorStore& store, size_t chunk, encoder::BehaviorEncoder& encoder, Totals& totals) {
  std::unordered_set<encoder::Hash128, encoder::Hash128Hasher> seen;
  BAHED_RETURN_IF_ERROR(store.for_each_history_behavior([&](const encoder::Hash128& h) {
    seen.insert(h);
    return true;
  }));
  std::vector<encoder::Hash128> hashes(seen.begin(), seen.end());
  ProgressBar bar("backfill", static_cast<int64_t>(hashes.size()), "behaviors");
  for (size_t b = 0; b < hashes.size(); b += chunk) {
    const size_t e = std::min(hashes.size(), b + chunk);
    BAHED_ASSIGN_OR_RETURN(auto report, encoder.backfill(std::span(hashes).subspan(b, e - b)));
    add(totals, report);
    bar.update(static_cast<int64_t>(e), "encoded=" + std::to_string(totals.encoded));
  }
  bar.finish(static_cast<int64_t>(hashes.size()), "encoded=" + std::to_string(totals.encoded));
  return Status::ok();
}

}  // namespace

int run_encode(int argc, char** argv) {
  std::optional<std::string> config_path;
  std::vector<std::string> overrides;
  std::string events_path;
  bool do_backfill = false;
  size_t chunk = 4096;
  bool json = false;
  po::options_description flags(
      "bahectl encode: encode atomic behaviors into the behavior store ahead of the daemon, with the\n"
      "daemon's configuration (encoder.*, store.*). Stop the daemon first: the store has one writer.\n\n"
      "usage: bahectl encode [--config FILE] [--set key=value ...] (--events FILE | --backfill)\n\noptions");
  flags.add_options()("help,h", "print this help")("config,c", po::value<std::string>(), "bahed's YAML configuration")(
      "set", po::value(&overrides)->composing(), "override one key, as bahed --set (repeatable)")(
      "events", po::value(&events_path), "contract-v1 event log (JSON lines): encode its behaviors and items")(
      "backfill", po::bool_switch(&do_backfill),
      "encode, under the current encoder version, every behavior the stored histories name")(
      "chunk", po::value(&chunk)->default_value(chunk), "events (or behaviors) per store round trip")(
      "json", po::bool_switch(&json), "print the summary as one JSON object");
  po::variables_map vm;
  if (auto exit_code = parse_command_line(argc, argv, flags, &vm)) return *exit_code;
  if (vm.count("config")) config_path = vm["config"].as<std::string>();
  if (events_path.empty() == !do_backfill || chunk == 0) {
    std::cerr << argv[0] << ": give exactly one of --events FILE and --backfill (and --chunk > 0)\n";
    return 2;
  }
  auto config = daemon::load_daemon_config(config_path, overrides);
  if (!config.is_ok()) {
    std::cerr << argv[0] << ": invalid configuration: " << config.status().message() << "\n";
    return 2;
  }
  encoder::set_compute_threads(static_cast<int>(config->runtime.torch_threads));
  const auto started = std::chrono::steady_clock::now();
  auto text_encoder = encoder::load_shallow_text_encoder(config->llm_options(), config->encoder.shallow);
  if (!text_encoder.is_ok()) {
    std::cerr << argv[0] << ": loading " << config->encoder.llm.model_dir << ": " << text_encoder.status().to_string() << "\n";
    return 1;
  }
  SystemClock clock;
  auto store = encoder::BehaviorStore::open(config->store_options(),
                                            {(*text_encoder)->fingerprint(), (*text_encoder)->dimension()}, clock);
  if (!store.is_ok()) {
    std::cerr << argv[0] << ": opening store " << config->store.options.path << ": " << store.status().to_string() << "\n";
    return 1;
  }
  auto encoder = encoder::BehaviorEncoder::create(config->encoder.behaviors, **store, **text_encoder);
  if (!encoder.is_ok()) {
    std::cerr << argv[0] << ": " << encoder.status().to_string() << "\n";
    return 1;
  }
  Totals totals;
  Status done = do_backfill ? backfill(**store, chunk, **encoder, totals)
                            : encode_log(events_path, chunk, **encoder, totals);
  const Status closed = (*store)->close();
  if (done.is_ok()) done = closed;
  if (!done.is_ok()) {
    std::cerr << argv[0] << ": " << done.to_string() << "\n";
    return 1;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto& counters = (*text_encoder)->counters();
  const double encode_s = counters.encode_ns.load() / 1e9;
  BenchReport report(do_backfill ? "encode --backfill" : "encode --events " + events_path);
  report.context("store", config->store.options.path);
  report.context("model", config->encoder.llm.model_dir);
  if (!do_backfill) {
    report.figure("lines", "event lines read", totals.lines, "lines");
    report.figure("rejected", "lines rejected by the decoder", totals.rejected, "lines");
  }
  report.figure("distinct_per_chunk", "distinct behaviors (summed over chunks)", totals.distinct, "behaviors");
  report.figure("hits", "already in the store", totals.hits, "behaviors");
  report.figure("encoded", "encoded now (misses)", totals.encoded, "behaviors");
  if (do_backfill) report.figure("missing_text", "history behaviors without a stored text", totals.missing_text, "behaviors");
  report.figure("truncated", "texts truncated at encoder.max_tokens", counters.truncated.load(), "texts");
  report.figure("encode_rate", "encode rate (shallow layers)", encode_s > 0 ? totals.encoded / encode_s : 0, "behaviors/s");
  report.figure("seconds", "wall time (model load included)", seconds, "s");
  report.print(json);
  return 0;
}

}  // namespace bahed::ctl
