#pragma once
// Runs an external program (npm, tar) to completion without a shell, so its
// arguments are passed verbatim and cannot be reinterpreted.
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace bahed::ctl {

// Runs args[0] (looked up in PATH) with `args` in directory `cwd` and waits
// for it. Its stdout and stderr go to `log_path` (created or truncated), so
// chatty tools do not interleave with our progress output; on failure the
// message quotes the log's last lines. The child starts with an empty signal
// mask even when the caller blocks SIGINT (SignalWaiter), so Ctrl-C still
// reaches it. Blocking. Unavailable when the program cannot start or exits
// non-zero, Internal when process creation itself fails.
[[nodiscard]] Status run_child_process(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                                       const std::filesystem::path& log_path);

}  // namespace bahed::ctl
