#pragma once
// Loads the daemon's configuration the way `bahed` does (YAML file, then
// --set overrides, then validation), for the tools that work on the same
// model and store (bahectl encode).
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "daemon/daemon_config.h"

namespace bahed::daemon {

// InvalidArgument naming the key on any error.
Result<DaemonConfig> load_daemon_config(const std::optional<std::string>& yaml_path,
                                        const std::vector<std::string>& overrides);
// The same from YAML text instead of a file (tests, the config fuzz target).
Result<DaemonConfig> parse_daemon_config(const std::string& yaml_text, const std::vector<std::string>& overrides);

}  // namespace bahed::daemon
