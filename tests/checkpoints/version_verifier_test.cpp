#include "checkpoints/version_verifier.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "checkpoint_test_util.h"
#include "checkpoints/checkpoint_publisher.h"
#include "checkpoints/sha256.h"
#include "checkpoints/version_layout.h"

namespace bahed::checkpoints {
namespace {

namespace fs = std::filesystem;
using testing::overwrite_file;
using testing::read_file;
using testing::sample_fields;
using testing::tiny_safetensors;

// Publishes v000001 and v000002 (model.safetensors and config.json each).
class VersionVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PublisherOptions o;
    o.publish_dir = dir();
    auto publisher = CheckpointPublisher::open(o, clock_, make_null_logger("checkpoints"));
    ASSERT_TRUE(publisher.is_ok()) << publisher.status().to_string();
    for (int i = 1; i <= 2; ++i) {
      const auto published = (*publisher)->publish(
          sample_fields(i), {CheckpointFile::from_bytes("model.safetensors", tiny_safetensors(i)),
                             CheckpointFile::from_bytes("config.json", R"({"hidden":64})")});
      ASSERT_TRUE(published.is_ok()) << published.status().to_string();
    }
  }

  fs::path dir() const { return tmp_.path() / "published"; }
  fs::path model(int version) const { return dir() / version_dir_name(version) / "model.safetensors"; }

  // latest_verified() fails with Corruption naming `file` and `reason`, and
  // newest_valid() falls back to v000001, reporting why v000002 was skipped.
  void expect_fallback(const std::string& file, const std::string& reason) {
    const auto latest = latest_verified(dir());
    ASSERT_FALSE(latest.is_ok());
    EXPECT_EQ(latest.status().code(), StatusCode::kCorruption);
    const std::string& message = latest.status().message();
    EXPECT_NE(message.find("LATEST names v000002"), std::string::npos) << message;
    EXPECT_NE(message.find(file), std::string::npos) << message;
    EXPECT_NE(message.find(reason), std::string::npos) << message;

    std::vector<SkippedVersion> skipped;
    const auto valid = newest_valid(dir(), &skipped);
    ASSERT_TRUE(valid.is_ok()) << valid.status().to_string();
    EXPECT_EQ(valid->version, 1);
    EXPECT_EQ(valid->manifest.fields.step, 1);
    ASSERT_EQ(skipped.size(), 1U);
    EXPECT_EQ(skipped[0].name, "v000002");
    EXPECT_NE(skipped[0].reason.find(file), std::string::npos) << skipped[0].reason;
  }

  testing::TempDir tmp_;
  FakeClock clock_;
};

TEST_F(VersionVerifierTest, ReturnsManifestWhenVersionIsIntact) {
  const auto latest = latest_verified(dir());
  ASSERT_TRUE(latest.is_ok()) << latest.status().to_string();
  EXPECT_EQ(latest->version, 2);
  EXPECT_EQ(latest->dir, dir() / "v000002");
  EXPECT_EQ(latest->manifest.parent, 1);
  EXPECT_EQ(latest->manifest.files.size(), 2U);
  std::vector<SkippedVersion> skipped;
  const auto valid = newest_valid(dir(), &skipped);
  ASSERT_TRUE(valid.is_ok());
  EXPECT_EQ(valid->version, 2);
  EXPECT_TRUE(skipped.empty());
  EXPECT_TRUE(verify_version(dir() / "v000001/").is_ok());  // trailing slash
}

TEST_F(VersionVerifierTest, FailsNamingFileWhenAByteIsCorrupted) {
  std::string bytes = read_file(model(2));
  bytes[bytes.size() - 3] ^= 0x01;
  overwrite_file(model(2), bytes);
  expect_fallback("v000002/model.safetensors", "sha256");
}

TEST_F(VersionVerifierTest, FailsNamingFileWhenTruncated) {
  const std::string bytes = read_file(model(2));
  overwrite_file(model(2), bytes.substr(0, bytes.size() - 4));
  expect_fallback("v000002/model.safetensors", "truncated");
}

TEST_F(VersionVerifierTest, FailsNamingFileWhenManifestHashIsEdited) {
  const fs::path manifest = dir() / "v000002" / kManifestFileName;
  std::string json = read_file(manifest);
  const std::string real = sha256_hex(tiny_safetensors(2));
  const size_t at = json.find(real);
  ASSERT_NE(at, std::string::npos);
  json.replace(at, real.size(), sha256_hex("something else"));
  overwrite_file(manifest, json);
  expect_fallback("v000002/model.safetensors", "does not match the manifest");
}

TEST_F(VersionVerifierTest, FailsNamingManifestWhenItIsNotValid) {
  overwrite_file(dir() / "v000002" / kManifestFileName, R"({"version":2})");
  expect_fallback("v000002/manifest.json", "missing key");
}

TEST_F(VersionVerifierTest, FailsNamingFileWhenNotListedInManifest) {
  overwrite_file(dir() / "v000002" / "extra.bin", "smuggled");
  expect_fallback("v000002/extra.bin", "not listed in the manifest");
}

TEST_F(VersionVerifierTest, FailsNamingFileWhenListedFileIsMissing) {
  fs::remove(dir() / "v000002" / "config.json");
  expect_fallback("v000002/config.json", "missing");
}

TEST_F(VersionVerifierTest, FailsWhenFolderHoldsAnotherVersionsManifest) {
  fs::copy_file(dir() / "v000001" / kManifestFileName, dir() / "v000002" / kManifestFileName,
                fs::copy_options::overwrite_existing);
  expect_fallback("v000002/manifest.json", "describes version 1");
}

TEST_F(VersionVerifierTest, SkipsVersionWhenNewerThanLatest) {
  overwrite_file(dir() / kLatestFileName, "v000001\n");
  EXPECT_EQ(latest_verified(dir()).value().version, 1);
  std::vector<SkippedVersion> skipped;
  const auto valid = newest_valid(dir(), &skipped);
  ASSERT_TRUE(valid.is_ok());
  EXPECT_EQ(valid->version, 1);
  ASSERT_EQ(skipped.size(), 1U);
  EXPECT_NE(skipped[0].reason.find("newer than LATEST"), std::string::npos);
}

TEST_F(VersionVerifierTest, TriesEveryVersionWhenLatestIsUnreadable) {
  overwrite_file(dir() / kLatestFileName, "garbage");
  EXPECT_EQ(latest_verified(dir()).status().code(), StatusCode::kCorruption);
  std::vector<SkippedVersion> skipped;
  const auto valid = newest_valid(dir(), &skipped);
  ASSERT_TRUE(valid.is_ok());
  EXPECT_EQ(valid->version, 2);
  ASSERT_EQ(skipped.size(), 1U);
  EXPECT_EQ(skipped[0].name, "LATEST");
}

TEST_F(VersionVerifierTest, ReturnsNotFoundWhenNoVersionVerifies) {
  for (int version : {1, 2}) overwrite_file(model(version), "x");
  std::vector<SkippedVersion> skipped;
  const auto valid = newest_valid(dir(), &skipped);
  ASSERT_FALSE(valid.is_ok());
  EXPECT_EQ(valid.status().code(), StatusCode::kNotFound);
  EXPECT_NE(valid.status().message().find("v000001/model.safetensors"), std::string::npos);
  EXPECT_EQ(skipped.size(), 2U);
}

TEST_F(VersionVerifierTest, RefusesSymlinkWhenListedFileIsOne) {
  const fs::path outside = tmp_.path() / "outside.safetensors";
  overwrite_file(outside, tiny_safetensors(2));
  fs::remove(model(2));
  fs::create_symlink(outside, model(2));
  expect_fallback("v000002/model.safetensors", "not a regular file");
}

}  // namespace
}  // namespace bahed::checkpoints
