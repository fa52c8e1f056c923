// bahectl bench consume: end-to-end consume throughput from the embedded
// broker (fetch, decode, validate, batch, queue), next to the decode-only
// rate of the same messages measured in the same run.
#include <boost/program_options.hpp>
#include <chrono>
#include <iostream>
#include <thread>

#include "common/clock.h"
#include "consumers/embedded_broker.h"
#include "consumers/event_decoder.h"
#include "consumers/event_stream.h"
#include "consumers/kafka_producer.h"
#include "daemon/ctl/bench_report.h"
#include "daemon/ctl/command_line.h"
#include "daemon/ctl/ctl_command.h"
#include "daemon/ctl/event_log_reader.h"

namespace po = boost::program_options;

namespace bahed::ctl {

namespace {
using Seconds = std::chrono::duration<double>;
}

int run_bench_consume(int argc, char** argv) {
  std::string events = "data/movielens/events.jsonl";
  int64_t limit = 0;
  int partitions = 4;
  bool json = false;
  po::options_description flags(
      "bahectl bench consume: produces an event log into the embedded broker, then times one consumer\n"
      "(EventStream: fetch, decode, validate, batch, bounded queue) reading all of it; prints the\n"
      "decode-only rate of the same messages, measured in the same run, beside it.\n\noptions");
  flags.add_options()("help,h", "print this help")("events", po::value(&events)->default_value(events), "event log")(
      "limit", po::value(&limit)->default_value(0), "use the first N events; 0 = all")(
      "partitions", po::value(&partitions)->default_value(partitions), "partitions of the topic")(
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
  const int64_t n = static_cast<int64_t>(lines.size());
  consumers::EmbeddedBrokerOptions broker_options;
  broker_options.topics = {"bench.events:" + std::to_string(partitions), "bench.dlq:1"};
  auto broker = consumers::EmbeddedBroker::start(broker_options);
  if (!broker.is_ok()) {
    std::cerr << argv[0] << ": " << broker.status().to_string() << "\n";
    return 1;
  }
  const std::string bootstrap = (*broker)->bootstrap_servers();

  // Produce.
  auto producer = consumers::KafkaProducer::create(bootstrap, {}, true);
  if (!producer.is_ok()) {
    std::cerr << argv[0] << ": " << producer.status().to_string() << "\n";
    return 1;
  }
  auto t0 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < n; ++i) {
    if (auto s = (*producer)->produce("bench.events", keys[i], lines[i]); !s.is_ok()) {
      std::cerr << argv[0] << ": " << s.to_string() << "\n";
      return 1;
    }
  }
  if (auto s = (*producer)->flush(120000); !s.is_ok() || (*producer)->n_delivered() != n) {
    std::cerr << argv[0] << ": produce incomplete: " << s.to_string() << "\n";
    return 1;
  }
  const double produce_s = Seconds(std::chrono::steady_clock::now() - t0).count();

  // Decode-only reference on the same messages.
  SystemClock clock;
  consumers::EventDecoder decoder(consumers::DecodeOptions{});
  Event event;
  t0 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < n; ++i) (void)decoder.decode(keys[i], lines[i], clock.now_ms(), &event);
  const double decode_s = Seconds(std::chrono::steady_clock::now() - t0).count();

  // Consume everything through the real stage.
  BoundedQueue<EventBatch> queue("bench", 64);
  consumers::EventStreamOptions options;
  options.bootstrap_servers = bootstrap;
  options.topic = "bench.events";
  options.dead_letter_topic = "bench.dlq";
  options.group_id = "bench";
  auto stream = consumers::EventStream::create(options, &queue, clock, make_null_logger("consumer"));
  if (!stream.is_ok()) {
    std::cerr << argv[0] << ": " << stream.status().to_string() << "\n";
    return 1;
  }
  t0 = std::chrono::steady_clock::now();
  if (auto s = (*stream)->start(); !s.is_ok()) {
    std::cerr << argv[0] << ": " << s.to_string() << "\n";
    return 1;
  }
  int64_t received = 0;
  double first_s = -1;
  const auto deadline = t0 + std::chrono::seconds(600);
  while (received + static_cast<int64_t>((*stream)->metrics().total_rejected()) < n &&
         std::chrono::steady_clock::now() < deadline) {
    if (auto batch = queue.pop_for(std::chrono::milliseconds(100))) {
      if (first_s < 0) first_s = Seconds(std::chrono::steady_clock::now() - t0).count();
      received += static_cast<int64_t>(batch->events.size());
    }
  }
  const double consume_s = Seconds(std::chrono::steady_clock::now() - t0).count();
  queue.close();
  (*stream)->stop().ignore();  // the figures are taken; a close error changes none of them

  BenchReport report("bench consume: embedded broker -> EventStream -> queue, one consumer");
  report.context("events_file", events);
  report.context("messages", std::to_string(n));
  report.context("partitions", std::to_string(partitions));
  report.figure("produce_events_per_s", "produce (idempotent, acked)", n / produce_s, "events/s");
  report.figure("consume_events_per_s", "consume end to end (incl. group join)", n / consume_s, "events/s");
  report.figure("consume_steady_events_per_s", "consume after the first batch", n / std::max(1e-9, consume_s - first_s), "events/s");
  report.figure("first_batch_s", "group join to first batch", first_s, "s");
  report.figure("decode_only_events_per_s", "decode+validate only (same messages)", n / decode_s, "events/s");
  report.figure("decode_share_of_consume", "decode time / steady consume time", decode_s / std::max(1e-9, consume_s - first_s), "");
  report.figure("events_received", "events received downstream", static_cast<double>(received), "events");
  report.print(json);
  return received == n ? 0 : 1;
}

}  // namespace bahed::ctl
