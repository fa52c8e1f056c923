// bahectl bench encode: BAHE's encoding half on real logs, in one run:
//   unique-behavior ratio (distinct behaviors / behaviors named);
//   cold pass: the daemon's encoder stage over the whole log into an empty
//     store; encode rate and the shallow layers' GFLOP/s against the
//     machine's matmul peak, measured in the same run;
//   warm pass: the same log again (a replay): hit rate, events/s;
//   warm lookups: every distinct key through MultiGet, with the hot LRU in
//     front and without it (RocksDB block cache only);
//   store size per million behaviors after compaction.
#include <torch/torch.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

#include "common/clock.h"
#include "consumers/event_decoder.h"
#include "daemon/ctl/bench_report.h"
#include "daemon/ctl/command_line.h"
#include "daemon/ctl/ctl_command.h"
#include "daemon/ctl/model/matmul_peak.h"
#include "daemon/ctl/model/model_flops.h"
#include "encoder/behavior_encoder.h"
#include "encoder/shallow_text_encoder.h"

namespace po = boost::program_options;

namespace bahed::ctl {
namespace {

using Seconds = std::chrono::duration<double>;

Result<std::vector<Event>> read_log(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::not_found("cannot open " + path + " (run ops/prepare_data.sh)");
  consumers::DecodeOptions options;
  options.require_key_match = false;
  consumers::EventDecoder decoder(options);
  std::vector<Event> events;
  std::string line;
  int64_t offset = 0;
  while (std::getline(in, line)) {
    Event e;
    if (decoder.decode("bench", line, 4'000'000'000'000, &e).ok) {
      e.source = {0, offset};
      events.push_back(std::move(e));
    }
    ++offset;
  }
  return events;
}

std::vector<EventBatch> batches_of(const std::vector<Event>& events, size_t size) {
  std::vector<EventBatch> out;
  for (size_t b = 0; b < events.size(); b += size) {
    EventBatch batch;
    batch.events.assign(events.begin() + static_cast<ptrdiff_t>(b),
                        events.begin() + static_cast<ptrdiff_t>(std::min(events.size(), b + size)));
    batch.consumed_through = {{0, batch.events.back().source.offset + 1}};
    out.push_back(std::move(batch));
  }
  return out;
}

std::string short_name(const std::string& path) {
  const auto p = std::filesystem::path(path);
  return p.parent_path().filename().string();
}

struct LogFigures {
  double behaviors_named = 0, distinct = 0, cold_s = 0, encode_s = 0, encode_gflops = 0;
  double warm_s = 0, warm_hit_rate = 0, lookups_lru_per_s = 0, lookups_rocksdb_per_s = 0, bytes_per_million = 0;
  double events = 0, truncated = 0, history_bytes_per_million_events = 0;
};

// Every distinct key through multi_get_vectors in chunks; returns lookups/s.
Result<double> lookup_rate(encoder::BehaviorStore& store, const std::vector<encoder::BehaviorKey>& keys, size_t chunk,
                           double min_seconds) {
  size_t n = 0;
  const auto t0 = std::chrono::steady_clock::now();
  double elapsed = 0;
  do {
    for (size_t b = 0; b < keys.size(); b += chunk) {
      const auto span = std::span(keys).subspan(b, std::min(chunk, keys.size() - b));
      BAHED_ASSIGN_OR_RETURN(auto found, store.multi_get_vectors(span));
      n += found.size();
    }
    elapsed = Seconds(std::chrono::steady_clock::now() - t0).count();
  } while (elapsed < min_seconds);
  return n / elapsed;
}

Result<LogFigures> bench_log(const std::string& path, encoder::ShallowTextEncoder& text_encoder,
                             const std::filesystem::path& work, size_t batch_events) {
  BAHED_ASSIGN_OR_RETURN(std::vector<Event> events, read_log(path));
  LogFigures f;
  f.events = static_cast<double>(events.size());
  const auto batches = batches_of(events, batch_events);
  SystemClock clock;
  encoder::StoreOptions store_options;
  store_options.path = (work / short_name(path)).string();
  std::filesystem::remove_all(store_options.path);
  std::filesystem::create_directories(work);
  const encoder::EncoderSpec spec{text_encoder.fingerprint(), text_encoder.dimension()};
  BAHED_ASSIGN_OR_RETURN(auto store, encoder::BehaviorStore::open(store_options, spec, clock));
  BAHED_ASSIGN_OR_RETURN(auto stage, encoder::BehaviorEncoder::create({}, *store, text_encoder));
  const auto& c = text_encoder.counters();
  const uint64_t texts0 = c.texts, padded0 = c.padded_tokens, ns0 = c.encode_ns, truncated0 = c.truncated;

  auto t0 = std::chrono::steady_clock::now();
  for (const auto& batch : batches) BAHED_RETURN_IF_ERROR(stage->encode(batch).status());
  f.cold_s = Seconds(std::chrono::steady_clock::now() - t0).count();
  const auto& m = stage->metrics();
  f.behaviors_named = static_cast<double>(m.behaviors.load());
  f.distinct = static_cast<double>(m.lookup_misses.load());
  const double texts = static_cast<double>(c.texts - texts0);
  f.encode_s = (c.encode_ns - ns0) / 1e9;
  f.truncated = static_cast<double>(c.truncated - truncated0);
  // FLOPs of the shallow layers over the padded tokens actually computed,
  // at the mean padded length.
  const double mean_len = texts > 0 ? (c.padded_tokens - padded0) / texts : 0;
  const double flops = texts > 0 ? decoder_forward_flops(text_encoder.model()->config(),
                                                         text_encoder.model()->options().n_layers_shallow,
                                                         static_cast<int64_t>(texts), std::max<int64_t>(1, std::llround(mean_len)))
                                 : 0;
  f.encode_gflops = f.encode_s > 0 ? flops / f.encode_s / 1e9 : 0;

  const uint64_t hits0 = m.lookup_hits, misses0 = m.lookup_misses;
  t0 = std::chrono::steady_clock::now();
  for (const auto& batch : batches) BAHED_RETURN_IF_ERROR(stage->encode(batch).status());
  f.warm_s = Seconds(std::chrono::steady_clock::now() - t0).count();
  const double hits = static_cast<double>(m.lookup_hits - hits0), misses = static_cast<double>(m.lookup_misses - misses0);
  f.warm_hit_rate = hits + misses > 0 ? hits / (hits + misses) : 0;

  // Every distinct key (items, which impressions' history entries share, and
  // other behaviors), shuffled.
  std::vector<encoder::BehaviorKey> keys;
  std::vector<std::string> seen;
  {
    encoder::BehaviorEncoderOptions o;
    std::unordered_set<encoder::BehaviorKey, encoder::BehaviorKeyHasher> set;
    for (const Event& e : events) {
      if (e.type == EventType::kImpression) {
        set.insert(encoder::make_behavior_key(spec.version, o.item_feature, e.item_text));
      } else {
        set.insert(encoder::make_behavior_key(spec.version, e.feature, e.text));
      }
    }
    keys.assign(set.begin(), set.end());
    std::mt19937_64 rng(7);
    std::shuffle(keys.begin(), keys.end(), rng);
  }
  BAHED_ASSIGN_OR_RETURN(f.lookups_lru_per_s, lookup_rate(*store, keys, 4096, 1.0));
  BAHED_RETURN_IF_ERROR(store->close());
  store.reset();
  stage.reset();

  // Again without the hot LRU: RocksDB's MultiGet and block cache only.
  store_options.hot_cache_entries = 0;
  BAHED_ASSIGN_OR_RETURN(store, encoder::BehaviorStore::open(store_options, spec, clock));
  BAHED_ASSIGN_OR_RETURN(f.lookups_rocksdb_per_s, lookup_rate(*store, keys, 4096, 1.0));
  // Sizes after the close above flushed the memtables, and a compaction.
  BAHED_RETURN_IF_ERROR(store->compact_vectors());
  const auto stats = store->stats();
  f.bytes_per_million = f.distinct > 0
                            ? (stats.vectors_size_on_disk_bytes + stats.texts_size_on_disk_bytes) / f.distinct * 1e6
                            : 0;
  f.history_bytes_per_million_events = stats.histories_size_on_disk_bytes / f.events * 1e6;
  BAHED_RETURN_IF_ERROR(store->close());
  return f;
}

}  // namespace

int run_bench_encode(int argc, char** argv) {
  std::string model_dir = "data/base-model";
  int64_t n_layers_shallow = 2;
  std::vector<std::string> logs = {"data/movielens/events.jsonl", "data/synth/events.jsonl"};
  std::string work = "var/bench-encode";
  size_t batch_events = 2000;
  encoder::ShallowEncoderOptions shallow;
  bool json = false;
  po::options_description flags(
      "bahectl bench encode: BAHE's encoder stage on real logs: unique-behavior ratio, cold encode rate\n"
      "and GFLOP/s vs the machine's matmul peak (same run), warm replay hit rate, warm lookup rate with\n"
      "and without the hot LRU, store bytes per million behaviors. Stores go under --work (replaced).\n\noptions");
  flags.add_options()("help,h", "print this help")("model", po::value(&model_dir)->default_value(model_dir),
                                                  "Hugging Face model directory (bahectl pretrain or model init)")(
      "n-layers-shallow", po::value(&n_layers_shallow)->default_value(n_layers_shallow), "frozen layers")(
      "events", po::value(&logs)->multitoken()->default_value(logs, "movielens and synth logs"), "event logs")(
      "work", po::value(&work)->default_value(work), "scratch directory for the stores")(
      "batch-events", po::value(&batch_events)->default_value(batch_events), "events per encoder batch")(
      "batch-tokens", po::value(&shallow.batch_tokens)->default_value(shallow.batch_tokens),
      "rows x padded length per shallow forward batch (encoder.batch_tokens)")(
      "json", po::bool_switch(&json), "print one JSON object instead of the table");
  po::variables_map vm;
  if (auto exit_code = parse_command_line(argc, argv, flags, &vm)) return *exit_code;
  at::set_num_threads(1);  // see bench model: OpenBLAS spreads each matmul already

  encoder::LlmOptions llm;
  llm.model_dir = model_dir;
  llm.n_layers_shallow = n_layers_shallow;
  auto text_encoder = encoder::ShallowTextEncoder::load(llm, shallow);
  if (!text_encoder.is_ok()) {
    std::cerr << argv[0] << ": " << text_encoder.status().to_string()
              << " (create a model with bahectl pretrain or bahectl model init)\n";
    return 1;
  }
  const MatmulPeak peak_before = measure_matmul_peak();
  BenchReport report("bench encode: behavior encoding and the store on real logs");
  const auto& config = (*text_encoder)->model()->config();
  report.context("model", model_dir + " (d=" + std::to_string(config.hidden_size) + ", " +
                              std::to_string(n_layers_shallow) + " shallow layers)");
  report.context("batch", std::to_string(batch_events) + " events, " + std::to_string(shallow.batch_tokens) +
                              " tokens per forward batch");
  std::vector<std::pair<std::string, LogFigures>> results;
  for (const auto& log : logs) {
    auto f = bench_log(log, **text_encoder, work, batch_events);
    if (!f.is_ok()) {
      std::cerr << argv[0] << ": " << log << ": " << f.status().to_string() << "\n";
      return 1;
    }
    results.emplace_back(short_name(log), *f);
  }
  const MatmulPeak peak_after = measure_matmul_peak();
  const double peak = std::max(peak_before.gflops, peak_after.gflops);
  for (const auto& [name, f] : results) {
    const std::string p = name + "_";
    report.figure(p + "events", name + ": events", f.events, "events");
    report.figure(p + "unique_ratio", name + ": distinct / behaviors named", f.distinct / f.behaviors_named, "");
    report.figure(p + "cold_events_per_s", name + ": cold pass (stage, empty store)", f.events / f.cold_s, "events/s");
    report.figure(p + "encode_per_s", name + ": cold encode rate", f.distinct / f.encode_s, "behaviors/s");
    report.figure(p + "encode_gflops", name + ": shallow layers achieved", f.encode_gflops, "GFLOP/s");
    report.figure(p + "encode_peak_fraction", name + ": shallow layers / matmul peak", f.encode_gflops / peak, "");
    report.figure(p + "truncated", name + ": texts truncated at max_tokens", f.truncated, "texts");
    report.figure(p + "warm_hit_rate", name + ": replay hit rate", f.warm_hit_rate, "");
    report.figure(p + "warm_events_per_s", name + ": replay (stage, warm store)", f.events / f.warm_s, "events/s");
    report.figure(p + "lookups_lru_per_s", name + ": lookups, MultiGet + hot LRU", f.lookups_lru_per_s, "behaviors/s");
    report.figure(p + "lookups_rocksdb_per_s", name + ": lookups, MultiGet only", f.lookups_rocksdb_per_s, "behaviors/s");
    report.figure(p + "store_bytes_per_million", name + ": vectors+texts per 1M behaviors", f.bytes_per_million, "bytes");
    report.figure(p + "history_bytes_per_million_events", name + ": histories per 1M events (H=256)",
                  f.history_bytes_per_million_events, "bytes");
  }
  report.figure("matmul_peak_gflops", "matmul peak (fp32 1024^3, best of before/after)", peak, "GFLOP/s");
  report.print(json);
  return 0;
}

}  // namespace bahed::ctl
