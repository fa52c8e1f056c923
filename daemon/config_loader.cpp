#include "daemon/config_loader.h"

#include <functional>

#include "daemon/config_schema.h"

namespace bahed::daemon {
namespace {

// Binds a config, lets `apply_document` fill it, then applies the overrides
// and validates: ConfigError (always naming a key) becomes InvalidArgument.
Result<DaemonConfig> load(const std::function<void(ConfigSchema&)>& apply_document,
                          const std::vector<std::string>& overrides) {
  DaemonConfig config;
  ConfigSchema schema;
  config.bind(&schema);
  try {
    apply_document(schema);
    for (const auto& s : overrides) schema.apply_override(s);
  } catch (const ConfigError& e) {
    return Status::invalid_argument(e.what());
  }
  BAHED_RETURN_IF_ERROR(config.validate());
  return config;
}

}  // namespace

Result<DaemonConfig> load_daemon_config(const std::optional<std::string>& yaml_path,
                                        const std::vector<std::string>& overrides) {
  return load(
      [&](ConfigSchema& schema) {
        if (yaml_path) schema.apply_yaml_file(*yaml_path);
      },
      overrides);
}

Result<DaemonConfig> parse_daemon_config(const std::string& yaml_text, const std::vector<std::string>& overrides) {
  return load([&](ConfigSchema& schema) { schema.apply_yaml_text(yaml_text, "the configuration"); }, overrides);
}

}  // namespace bahed::daemon
