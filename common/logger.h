#pragma once
// Loggers: one spdlog logger per component, created by the daemon (or tool)
// and passed in. Lines read `event_name key=value ...`.
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

#include "common/status.h"

namespace bahed {

using Logger = std::shared_ptr<spdlog::logger>;

// A logger named `component` that writes to the process's log (stderr, or
// the file log_to_file() opened), sharing one sink across components so
// lines never interleave mid-line.
Logger make_logger(const std::string& component);

// From now on every make_logger() logger appends to `path` instead of
// stderr. IOError when the file cannot be opened (logs stay on stderr).
[[nodiscard]] Status log_to_file(const std::string& path);
// Closes and reopens the log file by its path (SIGHUP after logrotate);
// nothing to do on stderr.
[[nodiscard]] Status reopen_log_file();

// A logger that discards everything (tests, quiet tools).
Logger make_null_logger(const std::string& component);

}  // namespace bahed
