#pragma once
// Loggers: one spdlog logger per component, created by the daemon (or tool)
// and passed in. Lines read `event_name key=value ...`.
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace bahed {

using Logger = std::shared_ptr<spdlog::logger>;

// A logger named `component` that writes to stderr, sharing one sink across
// components so lines never interleave mid-line.
Logger make_logger(const std::string& component);

// A logger that discards everything (tests, quiet tools).
Logger make_null_logger(const std::string& component);

}  // namespace bahed
