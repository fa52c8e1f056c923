#include "daemon/config_schema.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "daemon/daemon_config.h"

namespace bahed::daemon {
namespace {

class ConfigSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override { config_.bind(&schema_); }
  DaemonConfig config_;
  ConfigSchema schema_;
};

TEST_F(ConfigSchemaTest, ExampleFileMatchesTheDefaults) {
  std::ifstream in(std::string(BAHED_SOURCE_DIR) + "/ops/bahed.example.yaml");
  ASSERT_TRUE(in) << "ops/bahed.example.yaml is missing";
  std::stringstream file;
  file << in.rdbuf();
  EXPECT_EQ(file.str(), schema_.example_yaml())
      << "regenerate with: build/daemon/bahed --print-example-config > ops/bahed.example.yaml";
}

TEST_F(ConfigSchemaTest, ExampleFileLoadsIntoAValidConfig) {
  schema_.apply_yaml(YAML::Load(schema_.example_yaml()));
  EXPECT_TRUE(config_.validate().is_ok());
}

TEST_F(ConfigSchemaTest, AppliesNestedYamlValues) {
  schema_.apply_yaml(YAML::Load("kafka:\n  topic: clicks\n  properties:\n    security.protocol: SSL\ndecode:\n  max_text_bytes: 100\n"));
  EXPECT_EQ(config_.stream.topic, "clicks");
  EXPECT_EQ(config_.stream.properties.at("security.protocol"), "SSL");
  EXPECT_EQ(config_.stream.decode.max_text_bytes, 100);
}

TEST_F(ConfigSchemaTest, RefusesUnknownKeyNamingIt) {
  try {
    schema_.apply_yaml(YAML::Load("kafka:\n  topik: clicks\n"));
    FAIL() << "unknown key accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key, "kafka.topik");
  }
}

TEST_F(ConfigSchemaTest, RefusesWrongTypeNamingKeyAndValue) {
  try {
    schema_.apply_yaml(YAML::Load("decode:\n  max_text_bytes: lots\n"));
    FAIL() << "wrong type accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key, "decode.max_text_bytes");
    EXPECT_NE(std::string(e.what()).find("lots"), std::string::npos);
  }
}

// A YAML key may be any node; a list or map as a key used to escape as
// YAML::TypedBadConversion and abort `bahed --config` (found by config_fuzz).
TEST_F(ConfigSchemaTest, RefusesNonStringKeysNamingTheMap) {
  const std::pair<const char*, const char*> cases[] = {
      {"? !usd\n- aSSSSSSSSSSSSSSSSS_lenles\n", "(root)"},  // the fuzzer's input
      {"[a, b]: 1\n", "(root)"},
      {"kafka:\n  ? {a: 1}\n  : clicks\n", "kafka"},
      {"kafka:\n  properties:\n    [x]: y\n", "kafka.properties"},
  };
  for (const auto& [yaml, key] : cases) {
    try {
      schema_.apply_yaml(YAML::Load(yaml));
      ADD_FAILURE() << "accepted: " << yaml;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key, key) << yaml;
      EXPECT_NE(std::string(e.what()).find("keys must be strings"), std::string::npos) << e.what();
    }
  }
}

TEST_F(ConfigSchemaTest, ReadsANullKeyAsTheWordNull) {
  try {
    schema_.apply_yaml(YAML::Load("kafka:\n  ~: clicks\n"));
    FAIL() << "unknown key accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key, "kafka.null");
  }
}

TEST_F(ConfigSchemaTest, OverridesScalarsAndKafkaProperties) {
  schema_.apply_override("kafka.max_batch_events=7");
  schema_.apply_override("kafka.properties.sasl.mechanisms=PLAIN");
  EXPECT_EQ(config_.stream.max_batch_events, 7);
  EXPECT_EQ(config_.stream.properties.at("sasl.mechanisms"), "PLAIN");
  EXPECT_THROW(schema_.apply_override("no-equals-sign"), ConfigError);
}

TEST_F(ConfigSchemaTest, ExpandsSecretsFromEnvironment) {
  ::setenv("BAHED_TEST_SECRET", "s3cret", 1);
  schema_.apply_yaml(YAML::Load("kafka:\n  properties:\n    sasl.password: \"${env:BAHED_TEST_SECRET}\"\n"));
  EXPECT_EQ(config_.stream.properties.at("sasl.password"), "s3cret");
  ::unsetenv("BAHED_TEST_MISSING");
  EXPECT_THROW(schema_.apply_override("kafka.topic=${env:BAHED_TEST_MISSING}"), ConfigError);
}

TEST_F(ConfigSchemaTest, ValidationNamesTheOffendingKey) {
  schema_.apply_override("runtime.log_level=loud");
  const Status s = config_.validate();
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("runtime.log_level"), std::string::npos);
}

}  // namespace
}  // namespace bahed::daemon
