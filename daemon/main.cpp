// bahed: the daemon. Parses the command line and config, starts the stages,
// waits for a signal or a stop condition, then drains and exits.
#include <boost/program_options.hpp>
#include <iostream>

#include "common/clock.h"
#include "daemon/config_schema.h"
#include "daemon/daemon.h"
#include "daemon/signal_waiter.h"

namespace po = boost::program_options;
using bahed::daemon::ConfigError;

int main(int argc, char** argv) {
  po::options_description flags(
      "bahed: keeps an LLM-enhanced CTR model fresh from a Kafka stream.\n\nusage: bahed [--config FILE] [--set key=value ...]\n\noptions");
  flags.add_options()("help,h", "print this help and exit")(
      "config,c", po::value<std::string>(), "YAML configuration file (every key: ops/bahed.example.yaml)")(
      "set", po::value<std::vector<std::string>>()->composing(), "override one key, e.g. --set kafka.topic=events (repeatable)")(
      "check-config", "validate the configuration, print the effective values and exit (0 = valid)")(
      "print-example-config", "print every key with its default and documentation, and exit");
  po::variables_map vm;
  bahed::daemon::DaemonConfig config;
  bahed::daemon::ConfigSchema schema;
  config.bind(&schema);
  try {
    po::store(po::parse_command_line(argc, argv, flags), vm);
    po::notify(vm);
    if (vm.count("help")) {
      std::cout << flags << "\nsignals: SIGTERM/SIGINT drain, publish a final version, commit and exit; SIGHUP reopens runtime.log_file.\n"
                   "exit: 0 after a clean stop (SIGTERM/SIGINT), 1 on a stage failure, 2 on bad config.\n";
      return 0;
    }
    if (vm.count("print-example-config")) {
      std::cout << schema.example_yaml();
      return 0;
    }
    if (vm.count("config")) schema.apply_yaml_file(vm["config"].as<std::string>());
    if (vm.count("set"))
      for (const auto& s : vm["set"].as<std::vector<std::string>>()) schema.apply_override(s);
    if (const auto valid = config.validate(); !valid.is_ok()) {
      std::cerr << "bahed: invalid configuration: " << valid.message() << "\n";
      return 2;
    }
  } catch (const ConfigError& e) {
    std::cerr << "bahed: invalid configuration: " << e.what() << "\n";
    return 2;
  } catch (const po::error& e) {
    std::cerr << "bahed: " << e.what() << " (see bahed --help)\n";
    return 2;
  }
  if (vm.count("check-config")) {
    std::cout << schema.example_yaml() << "\n# configuration is valid\n";
    return 0;
  }

  spdlog::set_level(spdlog::level::from_str(config.runtime.log_level));
  if (!config.runtime.log_file.empty()) {
    if (const auto opened = bahed::log_to_file(config.runtime.log_file); !opened.is_ok()) {
      std::cerr << "bahed: runtime.log_file: " << opened.to_string() << "\n";
      return 2;
    }
  }
  bahed::daemon::SignalWaiter signals;  // before any thread starts
  bahed::SystemClock clock;
  auto daemon = bahed::daemon::Daemon::start(config, clock);
  if (!daemon.is_ok()) {
    std::cerr << "bahed: start-up failed: " << daemon.status().to_string() << "\n";
    return 1;
  }
  while (true) {
    const int sig = signals.wait_for(200);
    if (sig == SIGTERM || sig == SIGINT) break;
    if (sig == SIGHUP) {
      if (const auto reopened = bahed::reopen_log_file(); !reopened.is_ok()) std::cerr << "bahed: " << reopened.to_string() << "\n";
    }
    if ((*daemon)->should_stop()) break;
    (*daemon)->tick();
  }
  const auto stopped = (*daemon)->stop();
  if (!stopped.is_ok()) {
    std::cerr << "bahed: stopped with an error: " << stopped.to_string() << "\n";
    return 1;
  }
  return 0;
}
