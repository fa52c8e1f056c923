#include "daemon/ctl/command_line.h"

#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>

#include "daemon/config_schema.h"

namespace bahed::ctl {

std::optional<int> parse_command_line(int argc, char** argv, const boost::program_options::options_description& flags,
                                      boost::program_options::variables_map* vm) {
  namespace po = boost::program_options;
  try {
    po::store(po::parse_command_line(argc, argv, flags), *vm);
    if (vm->count("help")) {
      std::cout << flags;
      return 0;
    }
    po::notify(*vm);
  } catch (const po::error& e) {
    std::cerr << argv[0] << ": " << e.what() << " (see " << argv[0] << " --help)\n";
    return 2;
  }
  return std::nullopt;
}

std::optional<int> load_daemon_config(const std::string& file, const std::vector<std::string>& overrides,
                                      const char* argv0, daemon::DaemonConfig* config) {
  daemon::ConfigSchema schema;
  config->bind(&schema);
  try {
    if (!file.empty()) schema.apply_yaml_file(file);
    for (const auto& s : overrides) schema.apply_override(s);
  } catch (const daemon::ConfigError& e) {
    std::cerr << argv0 << ": invalid configuration: " << e.what() << "\n";
    return 2;
  }
  return std::nullopt;
}

Result<std::string> read_address_file(const std::string& path, int wait_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
  while (true) {
    std::ifstream in(path);
    std::string address;
    if (in && std::getline(in, address) && !address.empty()) return address;
    if (std::chrono::steady_clock::now() > deadline)
      return Status::not_found("no broker address in " + path + " after " + std::to_string(wait_s) + " s");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a CLI waiting for another process
  }
}

}  // namespace bahed::ctl
