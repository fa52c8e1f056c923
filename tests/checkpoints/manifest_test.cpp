#include "checkpoints/manifest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "checkpoint_test_util.h"

namespace bahed::checkpoints {
namespace {

Manifest sample_manifest() {
  Manifest m;
  m.version = 3;
  m.parent = 2;
  m.created_at_ms = 1'700'000'000'123;
  m.fields = testing::sample_fields(40);
  m.fields.metrics["nan_metric"] = std::nan("");
  m.files = {{"model.safetensors", 96, std::string(64, 'a')}, {"extra.bin", 0, std::string(64, '0')}};
  return m;
}

// Replaces the first occurrence of `from` in the serialized sample.
std::string edited(const std::string& from, const std::string& to) {
  std::string json = serialize_manifest(sample_manifest());
  const size_t at = json.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) json.replace(at, from.size(), to);
  return json;
}

void expect_refused(const std::string& json, const std::string& reason_part) {
  const Result<Manifest> parsed = parse_manifest(json);
  ASSERT_FALSE(parsed.is_ok()) << json;
  EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption);
  EXPECT_NE(parsed.status().message().find(reason_part), std::string::npos) << parsed.status().message();
}

TEST(Manifest, RoundTripsWhenSerializedAndParsed) {
  const Manifest m = sample_manifest();
  const std::string json = serialize_manifest(m);
  EXPECT_NE(json.find(R"("created_at":"2023-11-14T22:13:20.123Z")"), std::string::npos);
  EXPECT_NE(json.find(R"("offsets":{"0":140,"1":240,"7":0})"), std::string::npos);
  EXPECT_NE(json.find(R"("nan_metric":null)"), std::string::npos);
  const Result<Manifest> parsed = parse_manifest(json);
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_EQ(*parsed, m);
  EXPECT_TRUE(std::isnan(parsed->fields.metrics.at("nan_metric")));
}

TEST(Manifest, CarriesTheAuditWhenRoundTripped) {
  const std::string json = serialize_manifest(sample_manifest());
  EXPECT_NE(json.find(R"("audit":{"0":{"targets":8000,"checksum":"fedcba9876543210"},"1":{"targets":2240,"checksum":"0123456789abcdef"}})"),
            std::string::npos)
      << json;
}

TEST(Manifest, ReadsFormatOneWithoutAuditAndRefusesFormatTwoWithout) {
  std::string v1 = edited(R"("format_version":2)", R"("format_version":1)");
  const size_t at = v1.find(R"(,"audit":)");
  const size_t end = v1.find(R"(,"files":)");
  ASSERT_NE(at, std::string::npos);
  v1.erase(at, end - at);
  const Result<Manifest> parsed = parse_manifest(v1);
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_TRUE(parsed->fields.audit.partitions.empty());
  expect_refused(edited(R"("format_version":2)", R"("format_version":1)"), "'audit' in a format_version 1");
  std::string v2 = serialize_manifest(sample_manifest());
  v2.erase(v2.find(R"(,"audit":)"), v2.find(R"(,"files":)") - v2.find(R"(,"audit":)"));
  expect_refused(v2, "missing key 'audit'");
}

TEST(Manifest, KeepsNullParentWhenFirstVersion) {
  Manifest m = sample_manifest();
  m.version = 1;
  m.parent.reset();
  const Result<Manifest> parsed = parse_manifest(serialize_manifest(m));
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_FALSE(parsed->parent.has_value());
}

TEST(Manifest, RefusesDocumentWhenKeysAreUnknownMissingOrRepeated) {
  expect_refused(edited(R"("step":40)", R"("step":40,"stepp":1)"), "unknown key 'stepp'");
  expect_refused(edited(R"("step":40,)", ""), "missing key 'step'");
  expect_refused(edited(R"("step":40)", R"("step":40,"step":41)"), "appears twice");
  expect_refused(edited(R"("format_version":2)", R"("format_version":3)"), "format_version");
  expect_refused(edited(R"("targets":8000,)", ""), "needs targets and checksum");
  expect_refused(edited(R"("targets":8000)", R"("targets":8000,"extra":1)"), "unknown or repeated key 'extra'");
  expect_refused(edited(R"("name":"extra.bin")", R"("name":"extra.bin","mode":1)"), "unknown or repeated key 'mode'");
  expect_refused(edited(R"("sha256":")", R"("sha256":"0","sha256":")"), "repeated key 'sha256'");
}

TEST(Manifest, RefusesValuesWhenTypesOrRangesAreWrong) {
  expect_refused(edited(R"("step":40)", R"("step":"40")"), "'step' is not a 64-bit integer");
  expect_refused(edited(R"("step":40)", R"("step":40.5)"), "'step'");
  expect_refused(edited(R"("step":40)", R"("step":-1)"), "'step' is -1");
  expect_refused(edited(R"("parent":2)", R"("parent":3)"), "parent 3 is not older");
  expect_refused(edited(R"("version":3)", R"("version":0)"), "'version' is 0");
  expect_refused(edited(R"("0":140)", R"("00":140)"), "not a partition number");
  expect_refused(edited(R"("0":140)", R"("-1":140)"), "not a partition number");
  expect_refused(edited(R"("0":140)", R"("0":-5)"), "offsets.0");
  expect_refused(edited("2023-11-14T22:13:20.123Z", "2023-11-14T22:13:20Z"), "created_at");
  expect_refused(edited(R"({"n_layers_deep":2,"hidden":64,"granularity":"event"})", "[1]"), "'model_config' is not an object");
  expect_refused(edited(R"("auc":0.71)", R"("auc":"high")"), "metrics.auc");
  expect_refused(edited(R"("size":96)", R"("size":-96)"), "files[].size");
  expect_refused(edited("fedcba9876543210", "FEDCBA9876543210"), "audit.0.checksum");
  expect_refused(edited("fedcba9876543210", "fedcba987654321"), "audit.0.checksum");
  expect_refused(edited(R"("audit":{"0")", R"("audit":{"x")"), "audit key 'x'");
  expect_refused(edited(std::string(64, 'a'), std::string(64, 'A')), "64 lowercase hex");
  expect_refused(edited(R"("name":"extra.bin")", R"("name":"../escape")"), "not allowed");
  expect_refused(edited(R"("name":"extra.bin")", R"("name":"model.safetensors")"), "listed twice");
}

TEST(Manifest, RefusesInputWhenNotAJsonObject) {
  expect_refused("", "not valid JSON");
  expect_refused("[1,2]", "not an object");
  expect_refused(serialize_manifest(sample_manifest()).substr(0, 100), "not valid JSON");
  Manifest m = sample_manifest();
  m.files.clear();
  expect_refused(serialize_manifest(m), "'files' is empty");
}

TEST(Manifest, MinifiesModelConfigWhenFieldsAreChecked) {
  ManifestFields f = testing::sample_fields(1);
  f.model_config = "{ \"a\" : [1, 2],\n \"b\": {} }";
  const Result<ManifestFields> checked = checked_manifest_fields(f);
  ASSERT_TRUE(checked.is_ok()) << checked.status().to_string();
  EXPECT_EQ(checked->model_config, R"({"a":[1,2],"b":{}})");
}

TEST(Manifest, RefusesFieldsWhenParseWouldRefuseThem) {
  ManifestFields f = testing::sample_fields(1);
  f.model_config = "[1]";
  EXPECT_EQ(checked_manifest_fields(f).status().code(), StatusCode::kInvalidArgument);
  f = testing::sample_fields(1);
  f.offsets[-1] = 3;
  EXPECT_FALSE(checked_manifest_fields(f).is_ok());
  f = testing::sample_fields(1);
  f.metrics[""] = 1.0;
  EXPECT_FALSE(checked_manifest_fields(f).is_ok());
  f = testing::sample_fields(1);
  f.encoder_fingerprint.assign(kMaxFingerprintBytes + 1, 'x');
  EXPECT_FALSE(checked_manifest_fields(f).is_ok());
}

}  // namespace
}  // namespace bahed::checkpoints
