// bahectl broker: librdkafka's mock cluster on loopback, until stopped.
#include <boost/program_options.hpp>
#include <csignal>
#include <iostream>

#include "common/atomic_file.h"
#include "consumers/embedded_broker.h"
#include "daemon/ctl/command_line.h"
#include "daemon/ctl/ctl_command.h"
#include "daemon/signal_waiter.h"

namespace po = boost::program_options;

namespace bahed::ctl {

int run_broker(int argc, char** argv) {
  consumers::EmbeddedBrokerOptions options;
  options.topics = {"bahed.events", "bahed.events.dlq:1"};
  std::string address_file;
  po::options_description flags(
      "bahectl broker: runs librdkafka's mock Kafka cluster (a real Kafka-protocol broker on loopback)\n"
      "until SIGINT/SIGTERM. Prints its bootstrap address on stdout. Messages live in memory.\n\noptions");
  flags.add_options()("help,h", "print this help")(
      "topics", po::value(&options.topics)->multitoken()->default_value(options.topics, "bahed.events bahed.events.dlq:1"),
      "topics to create, as NAME or NAME:PARTITIONS")(
      "partitions", po::value(&options.n_partitions)->default_value(options.n_partitions), "partitions of a topic named without a count")(
      "brokers", po::value(&options.n_brokers)->default_value(options.n_brokers), "number of brokers in the cluster")(
      "address-file", po::value(&address_file), "also write the bootstrap address to this file (atomically)");
  po::variables_map vm;
  if (auto exit_code = parse_command_line(argc, argv, flags, &vm)) return *exit_code;
  daemon::SignalWaiter signals;  // before the broker's threads start
  auto broker = consumers::EmbeddedBroker::start(options);
  if (!broker.is_ok()) {
    std::cerr << argv[0] << ": " << broker.status().to_string() << "\n";
    return 1;
  }
  const std::string& address = (*broker)->bootstrap_servers();
  std::cout << address << std::endl;
  if (!address_file.empty()) {
    if (Status s = write_file_atomically(address_file, address + "\n"); !s.is_ok()) {
      std::cerr << argv[0] << ": --address-file: " << s.message() << "\n";
      return 1;
    }
  }
  std::cerr << "broker running on " << address << " (Ctrl-C to stop)\n";
  while (true) {
    const int sig = signals.wait_for(1000);
    if (sig == SIGINT || sig == SIGTERM) break;
  }
  return 0;
}

}  // namespace bahed::ctl
