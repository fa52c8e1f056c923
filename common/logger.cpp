#include "common/logger.h"

#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace bahed {

Logger make_logger(const std::string& component) {
  // One process-wide sink: spdlog's sinks are thread-safe and sharing one keeps
  // line order. This is spdlog's own registry state, not ours.
  static const auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>(component, sink);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%L%$ %n %v");
  logger->set_level(spdlog::get_level());
  return logger;
}

Logger make_null_logger(const std::string& component) {
  return std::make_shared<spdlog::logger>(component, std::make_shared<spdlog::sinks::null_sink_mt>());
}

}  // namespace bahed
