#include "daemon/ctl/command_line.h"

#include <iostream>

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

}  // namespace bahed::ctl
