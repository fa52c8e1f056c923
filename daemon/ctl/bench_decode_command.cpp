// bahectl bench decode: single-thread decode+validate throughput on a real
// event log, side by side with simdjson's bare parse of the same bytes.
#include <simdjson.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <iostream>

#include "common/clock.h"
#include "consumers/event_decoder.h"
#include "daemon/ctl/bench_report.h"
#include "daemon/ctl/command_line.h"
#include "daemon/ctl/ctl_command.h"
#include "daemon/ctl/event_log_reader.h"

namespace po = boost::program_options;

namespace bahed::ctl {

namespace {

using Seconds = std::chrono::duration<double>;

struct Pass {
  double seconds = 0;
  int64_t events = 0;
  int64_t accepted = 0;
};

}  // namespace

int run_bench_decode(int argc, char** argv) {
  std::string events = "data/movielens/events.jsonl";
  int64_t limit = 0;
  int rounds = 5;
  bool json = false;
  po::options_description flags(
      "bahectl bench decode: events/s of decode+validate on one thread, next to a bare simdjson parse\n"
      "of the same messages (rounds alternate between the two, so machine noise hits both).\n\noptions");
  flags.add_options()("help,h", "print this help")("events", po::value(&events)->default_value(events), "event log")(
      "limit", po::value(&limit)->default_value(0), "use the first N events; 0 = all")(
      "rounds", po::value(&rounds)->default_value(rounds), "alternating rounds of each pass")(
      "json", po::bool_switch(&json), "print one JSON object instead of the table");
  po::variables_map vm;
  if (auto exit_code = parse_command_line(argc, argv, flags, &vm)) return *exit_code;
  auto log = read_keyed_event_log(events, limit);
  if (!log.is_ok()) {
    std::cerr << argv[0] << ": " << log.status().message() << "\n";
    return 1;
  }
  const std::vector<std::string>& lines = log->lines;
  const std::vector<std::string>& keys = log->keys;
  SystemClock clock;
  consumers::EventDecoder decoder(consumers::DecodeOptions{});
  simdjson::dom::parser parser;
  Pass parse_only, decode;
  Event event;
  for (int r = 0; r < rounds; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    for (const auto& l : lines) {
      simdjson::dom::element root;
      parse_only.accepted += parser.parse(l).get(root) == simdjson::SUCCESS;
    }
    parse_only.seconds += Seconds(std::chrono::steady_clock::now() - t0).count();
    parse_only.events += static_cast<int64_t>(lines.size());

    const int64_t now_ms = clock.now_ms();
    t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < lines.size(); ++i) decode.accepted += decoder.decode(keys[i], lines[i], now_ms, &event).ok;
    decode.seconds += Seconds(std::chrono::steady_clock::now() - t0).count();
    decode.events += static_cast<int64_t>(lines.size());
  }
  BenchReport report("bench decode: contract-v1 decode+validate, one thread");
  report.context("events_file", events);
  report.context("messages", std::to_string(lines.size()));
  report.context("mean_bytes", std::to_string(lines.empty() ? 0 : log->bytes / static_cast<int64_t>(lines.size())));
  report.context("rounds", std::to_string(rounds));
  const double decode_rate = decode.events / decode.seconds;
  const double parse_rate = parse_only.events / parse_only.seconds;
  report.figure("decode_events_per_s", "decode+validate rate", decode_rate, "events/s");
  report.figure("decode_mb_per_s", "decode+validate bandwidth", decode_rate * log->bytes / lines.size() / 1e6, "MB/s");
  report.figure("decode_ns_per_event", "decode+validate time per event", 1e9 / decode_rate, "ns/event");
  report.figure("parse_only_events_per_s", "simdjson parse only (reference)", parse_rate, "events/s");
  report.figure("decode_vs_parse_ratio", "decode+validate time / parse-only time", parse_rate / decode_rate, "x");
  report.figure("accepted_fraction", "accepted by the decoder", static_cast<double>(decode.accepted) / decode.events, "");
  report.print(json);
  return 0;
}

}  // namespace bahed::ctl
