#include "daemon/config_schema.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <sstream>

namespace bahed::daemon {

namespace {

template <typename T>
T scalar_as(const std::string& key, const YAML::Node& node, const char* type_name) {
  if (!node.IsScalar()) throw ConfigError(key, std::string("expected a ") + type_name);
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    throw ConfigError(key, "expected a " + std::string(type_name) + ", got '" + node.Scalar() + "'");
  }
}

// The text of a map key. YAML allows any node as a key ("[a, b]: 1", "? {a: 1}");
// a configuration key is a string, so a list or map there is refused naming
// the map it appears in (yaml-cpp's own conversion would throw a YAML::Exception
// that no caller expects).
std::string key_text(const std::string& map_key, const YAML::Node& key) {
  if (!key.IsScalar() && !key.IsNull()) {
    throw ConfigError(map_key, std::string("keys must be strings, got a ") + (key.IsMap() ? "map" : "list"));
  }
  return key.as<std::string>();  // a null key reads "null", as yaml-cpp spells it
}

std::string yaml_quote(const std::string& s) {
  YAML::Emitter out;
  out << YAML::DoubleQuoted << s;
  return out.c_str();
}

std::string format_value(const ConfigSchema::FieldPtr& field) {
  return std::visit(
      [](auto* p) -> std::string {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return yaml_quote(*p);
        } else if constexpr (std::is_same_v<T, bool>) {
          return *p ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          std::ostringstream os;
          os << *p;
          return os.str();
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          std::string out = "[";
          for (size_t i = 0; i < p->size(); ++i) out += (i ? ", " : "") + yaml_quote((*p)[i]);
          return out + "]";
        } else if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) {
          std::string out = "{";
          bool first = true;
          for (const auto& [k, v] : *p) {
            out += (first ? "" : ", ") + yaml_quote(k) + ": " + yaml_quote(v);
            first = false;
          }
          return out + "}";
        } else {
          return std::to_string(*p);
        }
      },
      field);
}

}  // namespace

std::string expand_env(const std::string& key, const std::string& value) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t start = value.find("${env:", pos);
    if (start == std::string::npos) break;
    const size_t end = value.find('}', start);
    if (end == std::string::npos) throw ConfigError(key, "unterminated ${env:...} in value");
    const std::string name = value.substr(start + 6, end - start - 6);
    const char* env = std::getenv(name.c_str());
    if (!env) throw ConfigError(key, "environment variable " + name + " is not set (the value refers to ${env:" + name + "})");
    out += value.substr(pos, start - pos);
    out += env;
    pos = end + 1;
  }
  out += value.substr(pos);
  return out;
}

void ConfigSchema::bind(const std::string& key, FieldPtr field, const std::string& doc) {
  entries_[key] = Entry{field, doc};
  order_.push_back(key);
}

void ConfigSchema::apply_node(const std::string& key, const YAML::Node& node) {
  auto it = entries_.find(key);
  if (it == entries_.end()) throw ConfigError(key, "unknown key (see ops/bahed.example.yaml for every key)");
  std::visit(
      [&](auto* p) {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, std::string>) {
          *p = expand_env(key, scalar_as<std::string>(key, node, "string"));
        } else if constexpr (std::is_same_v<T, bool>) {
          *p = scalar_as<bool>(key, node, "boolean (true or false)");
        } else if constexpr (std::is_same_v<T, int64_t>) {
          *p = scalar_as<int64_t>(key, node, "integer");
        } else if constexpr (std::is_same_v<T, int>) {
          *p = scalar_as<int>(key, node, "integer");
        } else if constexpr (std::is_same_v<T, uint32_t> || std::is_same_v<T, uint64_t>) {
          const int64_t v = scalar_as<int64_t>(key, node, "non-negative integer");
          if (v < 0 || (std::is_same_v<T, uint32_t> && v > int64_t{UINT32_MAX})) {
            throw ConfigError(key, "expected a non-negative integer" +
                                       std::string(std::is_same_v<T, uint32_t> ? " below 2^32" : "") + ", got " +
                                       std::to_string(v));
          }
          *p = static_cast<T>(v);
        } else if constexpr (std::is_same_v<T, double>) {
          *p = scalar_as<double>(key, node, "number");
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          if (!node.IsSequence()) throw ConfigError(key, "expected a list of strings");
          p->clear();
          for (const auto& item : node) p->push_back(expand_env(key, scalar_as<std::string>(key, item, "string")));
        } else if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) {
          if (!node.IsMap()) throw ConfigError(key, "expected a map of string to string");
          for (const auto& kv : node) {
            const std::string name = key_text(key, kv.first);
            (*p)[name] = expand_env(key + "." + name, scalar_as<std::string>(key + "." + name, kv.second, "string"));
          }
        }
      },
      it->second.field);
}

void ConfigSchema::walk(const std::string& prefix, const YAML::Node& node) {
  if (!node.IsMap()) throw ConfigError(prefix.empty() ? "(root)" : prefix, "expected a map of keys");
  for (const auto& kv : node) {
    const std::string name = key_text(prefix.empty() ? "(root)" : prefix, kv.first);
    const std::string key = prefix.empty() ? name : prefix + "." + name;
    if (entries_.count(key)) {
      apply_node(key, kv.second);
    } else if (kv.second.IsMap()) {
      walk(key, kv.second);
    } else if (!kv.second.IsNull()) {
      apply_node(key, kv.second);  // throws: unknown key
    }
  }
}

void ConfigSchema::apply_yaml(const YAML::Node& root) {
  if (!root || root.IsNull()) return;
  walk("", root);
}

void ConfigSchema::apply_yaml_file(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw ConfigError("--config", "cannot read " + path);
  } catch (const YAML::ParserException& e) {
    throw ConfigError("--config", path + " is not valid YAML: " + e.what());
  }
  apply_yaml(root);
}

void ConfigSchema::apply_yaml_text(const std::string& text, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError("--config", origin + " is not valid YAML: " + e.what());
  }
  apply_yaml(root);
}

void ConfigSchema::apply_override(const std::string& assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) throw ConfigError(assignment, "--set takes key=value");
  std::string key = assignment.substr(0, eq);
  const std::string value = assignment.substr(eq + 1);
  // kafka.properties.<librdkafka name>=value sets one pass-through property.
  for (const auto& [name, entry] : entries_) {
    if (std::holds_alternative<std::map<std::string, std::string>*>(entry.field) && key.rfind(name + ".", 0) == 0) {
      auto* map = std::get<std::map<std::string, std::string>*>(entry.field);
      (*map)[key.substr(name.size() + 1)] = expand_env(key, value);
      return;
    }
  }
  YAML::Node node;
  try {
    node = YAML::Load(value);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(key, "value is not valid YAML: " + std::string(e.what()));
  }
  if (!node || node.IsNull()) node = YAML::Node(value);
  apply_node(key, node);
}

std::string ConfigSchema::example_yaml() const {
  // Groups keys by their first segment; nested segments become nested maps.
  std::ostringstream out;
  out << "# bahed configuration: every key with its default value.\n"
         "# Generated by `bahed --print-example-config`; tests check it matches the defaults.\n"
         "# Values may use ${env:NAME} to read secrets from the environment.\n";
  std::vector<std::string> open;  // path segments currently open
  for (const auto& key : order_) {
    std::vector<std::string> parts;
    std::stringstream ss(key);
    for (std::string part; std::getline(ss, part, '.');) parts.push_back(part);
    size_t common = 0;
    while (common < open.size() && common + 1 < parts.size() && open[common] == parts[common]) ++common;
    open.resize(common);
    if (common == 0) out << "\n";
    for (size_t i = common; i + 1 < parts.size(); ++i) {
      out << std::string(2 * i, ' ') << parts[i] << ":\n";
      open.push_back(parts[i]);
    }
    const std::string indent(2 * (parts.size() - 1), ' ');
    const auto& entry = entries_.at(key);
    std::stringstream doc(entry.doc);
    for (std::string line; std::getline(doc, line);) out << indent << "# " << line << "\n";
    out << indent << parts.back() << ": " << format_value(entry.field) << "\n";
  }
  return out.str();
}

}  // namespace bahed::daemon
