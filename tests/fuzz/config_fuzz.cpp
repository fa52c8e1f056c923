// libFuzzer target: any bytes as the daemon's YAML configuration must load
// into a valid DaemonConfig or be refused with InvalidArgument naming a key;
// never crash, hang or let an exception out of the loader (ASan/UBSan on).
//
// Input: the YAML document, then optionally a NUL byte and --set overrides
// ("key=value"), one per line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config_loader.h"
#include "daemon/config_schema.h"

namespace {

// Every YAML key, to check that refusals name one.
std::vector<std::string> all_keys() {
  bahed::daemon::DaemonConfig config;
  bahed::daemon::ConfigSchema schema;
  config.bind(&schema);
  return schema.keys();
}

bool names_a_key(const std::string& message) {
  static const std::vector<std::string> keys = all_keys();
  if (message.rfind("config key '", 0) == 0) return true;  // ConfigError: "config key 'K': ..."
  for (const std::string& key : keys) {
    if (message.find(key) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string yaml(input.substr(0, nul));
  std::vector<std::string> overrides;
  if (nul != input.npos) {
    std::string_view rest = input.substr(nul + 1);
    while (!rest.empty()) {
      const size_t eol = rest.find('\n');
      overrides.emplace_back(rest.substr(0, eol));
      rest = eol == rest.npos ? std::string_view() : rest.substr(eol + 1);
    }
  }
  // An exception escaping here is a finding: libFuzzer reports it as a crash.
  const auto config = bahed::daemon::parse_daemon_config(yaml, overrides);
  if (config.is_ok()) {
    if (!config->validate().is_ok()) __builtin_trap();  // accepted must mean valid
    return 0;
  }
  if (config.status().code() != bahed::StatusCode::kInvalidArgument) __builtin_trap();
  if (!names_a_key(config.status().message())) __builtin_trap();  // every refusal names its key
  return 0;
}
