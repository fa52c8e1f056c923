#include "daemon/config_loader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace bahed::daemon {
namespace {

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(BAHED_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ConfigLoaderTest, ParsesTheExampleAndDemoTexts) {
  const auto example = parse_daemon_config(read_source_file("ops/bahed.example.yaml"), {});
  ASSERT_TRUE(example.is_ok()) << example.status().to_string();
  const auto demo = parse_daemon_config(read_source_file("ops/demo.yaml"), {"kafka.topic=clicks"});
  ASSERT_TRUE(demo.is_ok()) << demo.status().to_string();
  EXPECT_EQ(demo->store.options.path, "data/demo/store");
  EXPECT_EQ(demo->stream.topic, "clicks");
}

TEST(ConfigLoaderTest, RefusesBrokenTextWithInvalidArgumentNamingTheKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"kafka: [topic, clicks\n", "config key '--config'"},  // not YAML
      {"[a]: 1\n", "config key '(root)'"},                     // found by config_fuzz: used to abort
      {"decode:\n  max_text_bytes: lots\n", "config key 'decode.max_text_bytes'"},
      {"runtime:\n  log_level: loud\n", "runtime.log_level"},  // refused by validate()
  };
  for (const auto& [yaml, expected] : cases) {
    const auto config = parse_daemon_config(yaml, {});
    ASSERT_FALSE(config.is_ok()) << yaml;
    EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument) << yaml;
    EXPECT_NE(config.status().message().find(expected), std::string::npos) << config.status().message();
  }
}

}  // namespace
}  // namespace bahed::daemon
