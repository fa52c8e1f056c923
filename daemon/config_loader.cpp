#include "daemon/config_loader.h"

#include "daemon/config_schema.h"

namespace bahed::daemon {

Result<DaemonConfig> load_daemon_config(const std::optional<std::string>& yaml_path,
                                        const std::vector<std::string>& overrides) {
  DaemonConfig config;
  ConfigSchema schema;
  config.bind(&schema);
  try {
    if (yaml_path) schema.apply_yaml_file(*yaml_path);
    for (const auto& s : overrides) schema.apply_override(s);
  } catch (const ConfigError& e) {
    return Status::invalid_argument(e.what());
  }
  BAHED_RETURN_IF_ERROR(config.validate());
  return config;
}

}  // namespace bahed::daemon
