#pragma once
// The option handling every bahectl command shares: parse, print --help,
// report a bad flag. Returns the exit code when the command should end now
// (0 after --help, 2 on a bad flag), nullopt when it should run.
#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "daemon/daemon_config.h"

namespace bahed::ctl {

std::optional<int> parse_command_line(int argc, char** argv, const boost::program_options::options_description& flags,
                                      boost::program_options::variables_map* vm);

// bahed's configuration as bahed itself would read it: defaults, then the
// YAML file (when not empty), then the --set overrides. On a bad key prints
// it as bahed does and returns exit code 2; nullopt when loaded.
std::optional<int> load_daemon_config(const std::string& file, const std::vector<std::string>& overrides,
                                      const char* argv0, daemon::DaemonConfig* config);

// The first line of `path` (a broker's bootstrap address written by
// `bahectl broker --address-file` or kafka.embedded_address_file), waiting
// up to `wait_s` seconds for it to appear. NotFound after that.
Result<std::string> read_address_file(const std::string& path, int wait_s);

}  // namespace bahed::ctl
