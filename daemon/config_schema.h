#pragma once
// ConfigSchema: the one table from YAML keys ("kafka.topic") to the fields of
// the components' Options structs. From it come: loading YAML (unknown keys
// refused, every error naming its key), --set overrides, ${env:NAME}
// expansion for secrets, and the documented example file (so the example and
// the defaults cannot drift apart).
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace YAML {
class Node;
}

namespace bahed::daemon {

// Thrown only while loading configuration (start-up); caught once in main.
struct ConfigError : std::runtime_error {
  ConfigError(const std::string& key, const std::string& message)
      : std::runtime_error("config key '" + key + "': " + message), key(key) {}
  std::string key;
};

class ConfigSchema {
 public:
  using FieldPtr = std::variant<std::string*, int64_t*, int*, uint32_t*, uint64_t*, bool*, double*, std::vector<std::string>*,
                                std::map<std::string, std::string>*>;

  // Binds `key` (dotted, lowercase) to `field`, whose current value is the
  // default. `doc` is one or more sentences for the example file.
  void bind(const std::string& key, FieldPtr field, const std::string& doc);

  // Applies a parsed YAML document. Throws ConfigError naming the key.
  void apply_yaml(const YAML::Node& root);
  void apply_yaml_file(const std::string& path);
  // The same for YAML text (errors say `origin` where a file would be named).
  void apply_yaml_text(const std::string& text, const std::string& origin);
  // Applies "key=value" (value parsed as YAML scalar/flow). Throws ConfigError.
  void apply_override(const std::string& assignment);

  // The example file: every key, its documentation and its current value.
  std::string example_yaml() const;
  const std::vector<std::string>& keys() const { return order_; }

 private:
  struct Entry {
    FieldPtr field;
    std::string doc;
  };
  void apply_node(const std::string& key, const YAML::Node& node);
  void walk(const std::string& prefix, const YAML::Node& node);
  std::map<std::string, Entry> entries_;
  std::vector<std::string> order_;
};

// Replaces "${env:NAME}" in a value by the environment variable NAME; throws
// ConfigError naming `key` if it is unset.
std::string expand_env(const std::string& key, const std::string& value);

}  // namespace bahed::daemon
