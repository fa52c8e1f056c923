// bahectl replay: produces an event log into a topic, key = user id.
#include <boost/program_options.hpp>
#include <cctype>
#include <chrono>
#include <iostream>
#include <thread>

#include "consumers/kafka_producer.h"
#include "daemon/ctl/command_line.h"
#include "daemon/ctl/ctl_command.h"
#include "daemon/ctl/event_log_reader.h"
#include "daemon/ctl/group_lag.h"
#include "daemon/ctl/progress_bar.h"

namespace po = boost::program_options;

namespace bahed::ctl {

namespace {

int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Replaces the value of the top-level "ts" key. A "ts": inside a string
// value would be escaped (\"ts\":), so the first unescaped match is the key.
void retime_event(std::string& line, int64_t ts_ms) {
  const size_t key = line.find("\"ts\":");
  if (key == std::string::npos) return;  // the daemon will dead-letter it, as it would have anyway
  size_t begin = key + 5;
  while (begin < line.size() && line[begin] == ' ') ++begin;
  size_t end = begin;
  while (end < line.size() && (std::isdigit(static_cast<unsigned char>(line[end])) || line[end] == '-')) ++end;
  if (end > begin) line.replace(begin, end - begin, std::to_string(ts_ms));
}

}  // namespace

int run_replay(int argc, char** argv) {
  std::string events, bootstrap, bootstrap_file, topic = "bahed.events";
  double rate = 0;
  int64_t limit = 0;
  int64_t max_lag = 0;
  std::string group = "bahed";
  int wait_s = 60;
  bool retime = false;
  std::vector<std::string> properties;
  po::options_description flags(
      "bahectl replay: produces an event log (JSON lines) into a Kafka topic with the user id as key,\n"
      "through an idempotent producer; every delivery report is checked. Exit 0 only if every event\n"
      "was acknowledged by the broker.\n\noptions");
  flags.add_options()("help,h", "print this help")(
      "events", po::value(&events)->default_value("data/movielens/events.jsonl"), "event log to replay")(
      "bootstrap", po::value(&bootstrap), "bootstrap.servers of the target cluster")(
      "bootstrap-file", po::value(&bootstrap_file), "read bootstrap.servers from this file (waits for it to appear)")(
      "wait", po::value(&wait_s)->default_value(wait_s), "seconds to wait for --bootstrap-file")(
      "topic", po::value(&topic)->default_value(topic), "topic to produce to")(
      "rate", po::value(&rate)->default_value(0), "events per second; 0 = as fast as possible")(
      "limit", po::value(&limit)->default_value(0), "replay only the first N events; 0 = all")(
      "max-lag", po::value(&max_lag)->default_value(0),
      "flow control: pause while --group's committed offsets are this many events behind the end of "
      "any partition (plus what is still in flight), so a replay as fast as the group consumes never "
      "outruns the topic's retention (the embedded broker keeps about 5 MiB per partition). bahed "
      "commits when it publishes a version: N must cover what arrives between two versions. 0 = off")(
      "group", po::value(&group)->default_value(group), "consumer group whose lag --max-lag bounds")(
      "retime", po::bool_switch(&retime),
      "set each event's \"ts\" to the time it is produced (the log's order is kept), so the daemon's "
      "freshness (now minus the newest trained event time) measures its own end-to-end delay")(
      "property", po::value(&properties)->composing(), "librdkafka property NAME=VALUE (repeatable; SASL/SSL...)");
  po::variables_map vm;
  if (auto exit_code = parse_command_line(argc, argv, flags, &vm)) return *exit_code;
  if (bootstrap.empty() == bootstrap_file.empty()) {
    std::cerr << argv[0] << ": give exactly one of --bootstrap or --bootstrap-file\n";
    return 2;
  }
  consumers::KafkaProperties props;
  for (const auto& p : properties) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << argv[0] << ": --property takes NAME=VALUE, got '" << p << "'\n";
      return 2;
    }
    props[p.substr(0, eq)] = p.substr(eq + 1);
  }
  if (!bootstrap_file.empty()) {
    auto address = read_address_file(bootstrap_file, wait_s);
    if (!address.is_ok()) {
      std::cerr << argv[0] << ": " << address.status().message() << "\n";
      return 1;
    }
    bootstrap = *address;
  }
  auto lines = read_event_log(events, limit);
  if (!lines.is_ok()) {
    std::cerr << argv[0] << ": " << lines.status().message() << " (make one with: bahectl data movielens)\n";
    return 1;
  }
  auto producer = consumers::KafkaProducer::create(bootstrap, props, true);
  if (!producer.is_ok()) {
    std::cerr << argv[0] << ": " << producer.status().message() << "\n";
    return 1;
  }
  std::unique_ptr<GroupLag> group_lag;
  if (max_lag > 0) {
    auto created = GroupLag::create(bootstrap, props, topic, group, 10000);
    if (!created.is_ok()) {
      std::cerr << argv[0] << ": --max-lag: " << created.status().message() << "\n";
      return 1;
    }
    group_lag = std::move(*created);
  }
  const int64_t total = static_cast<int64_t>(lines->size());
  ProgressBar progress("replay", total);
  EventUserExtractor users;
  int64_t without_user = 0;
  const auto start = std::chrono::steady_clock::now();
  auto next_lag_check = start;
  double paused_s = 0;
  int64_t produced_since_reading = 0;
  for (int64_t i = 0; i < total; ++i) {
    // Read every 200 ms, or sooner once a quarter of the bound was produced
    // since the last reading (a reading costs a round trip per partition),
    // so a partition overshoots the bound by at most a quarter of it.
    if (group_lag && (std::chrono::steady_clock::now() >= next_lag_check || produced_since_reading >= max_lag / 4)) {
      for (;;) {
        auto reading = group_lag->read();
        if (!reading.is_ok()) {
          std::cerr << "\n" << argv[0] << ": --max-lag: " << reading.status().message() << "\n";
          return 1;
        }
        const int64_t lag_now = reading->max_partition;
        if (lag_now + (*producer)->n_in_flight() < max_lag) break;
        const auto pause_start = std::chrono::steady_clock::now();
        (*producer)->poll(200);
        paused_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - pause_start).count();
        progress.update(i, "acked=" + std::to_string((*producer)->n_delivered()) +
                               " waiting: group lag " + std::to_string(lag_now));
      }
      next_lag_check = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
      produced_since_reading = 0;
    }
    ++produced_since_reading;
    std::string& line = (*lines)[i];
    if (retime) retime_event(line, wall_clock_ms());
    const std::string user = users.user_of(line);
    without_user += user.empty();
    if (auto s = (*producer)->produce(topic, user, line); !s.is_ok()) {
      std::cerr << "\n" << argv[0] << ": event " << i << ": " << s.message() << "\n";
      return 1;
    }
    if (rate > 0) std::this_thread::sleep_until(start + std::chrono::duration<double>((i + 1) / rate));
    progress.update(i + 1, "acked=" + std::to_string((*producer)->n_delivered()));
  }
  const Status flushed = (*producer)->flush(120000);
  progress.finish(total, "acked=" + std::to_string((*producer)->n_delivered()));
  const int64_t failed = (*producer)->n_failed();
  const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << "replay: produced=" << total << " acknowledged=" << (*producer)->n_delivered() << " failed=" << failed
            << " without_user_key=" << without_user << " topic=" << topic << " seconds=" << static_cast<int64_t>(elapsed_s)
            << (group_lag ? " paused_for_lag_s=" + std::to_string(static_cast<int64_t>(paused_s)) : std::string()) << "\n";
  if (!flushed.is_ok() || failed > 0 || (*producer)->n_delivered() != total) {
    std::cerr << argv[0] << ": not every event was acknowledged"
              << (failed ? " (last error: " + (*producer)->last_error() + ")" : "") << "\n";
    return 1;
  }
  return 0;
}

}  // namespace bahed::ctl
