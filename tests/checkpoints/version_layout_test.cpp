#include "checkpoints/version_layout.h"

#include <gtest/gtest.h>

#include "checkpoint_test_util.h"

namespace bahed::checkpoints {
namespace {

using testing::overwrite_file;
using testing::TempDir;

TEST(VersionLayout, NamesVersionsWithSixDigitsWhenSmall) {
  EXPECT_EQ(version_dir_name(1), "v000001");
  EXPECT_EQ(version_dir_name(123456), "v123456");
  EXPECT_EQ(version_dir_name(1234567), "v1234567");
}

TEST(VersionLayout, ParsesOnlyCanonicalNamesWhenReadingFolders) {
  EXPECT_EQ(parse_version_dir_name("v000001"), 1);
  EXPECT_EQ(parse_version_dir_name("v1234567"), 1234567);
  EXPECT_FALSE(parse_version_dir_name("v000000"));
  EXPECT_FALSE(parse_version_dir_name("v00001"));
  EXPECT_FALSE(parse_version_dir_name("v0000001"));  // two spellings of one version
  EXPECT_FALSE(parse_version_dir_name("v00000a"));
  EXPECT_FALSE(parse_version_dir_name("x000001"));
  EXPECT_FALSE(parse_version_dir_name("v-00001"));
  EXPECT_FALSE(parse_version_dir_name("v99999999999999999999"));
}

TEST(VersionLayout, ListsVersionFoldersAscendingWhenOtherEntriesExist) {
  TempDir dir;
  for (const char* name : {"v000010", "v000002", ".tmp-v000011-ab", "v00003", "notes"}) {
    std::filesystem::create_directory(dir.path() / name);
  }
  overwrite_file(dir.path() / "v000004", "a file, not a version");
  const auto versions = list_versions(dir.path());
  ASSERT_TRUE(versions.is_ok()) << versions.status().to_string();
  EXPECT_EQ(*versions, (std::vector<int64_t>{2, 10}));
}

TEST(VersionLayout, ReadsLatestWhenItNamesAVersion) {
  TempDir dir;
  EXPECT_EQ(read_latest(dir.path()).status().code(), StatusCode::kNotFound);
  overwrite_file(dir.path() / "LATEST", "v000042\n");
  EXPECT_EQ(read_latest(dir.path()).value(), 42);
  overwrite_file(dir.path() / "LATEST", "v000042\nv000043\n");
  EXPECT_EQ(read_latest(dir.path()).status().code(), StatusCode::kCorruption);
  overwrite_file(dir.path() / "LATEST", std::string(100, 'v'));
  EXPECT_EQ(read_latest(dir.path()).status().code(), StatusCode::kCorruption);
}

TEST(VersionLayout, RefusesFileNamesWhenTheyCouldEscapeOrClash) {
  EXPECT_TRUE(is_valid_checkpoint_file_name("model.safetensors"));
  EXPECT_FALSE(is_valid_checkpoint_file_name(""));
  EXPECT_FALSE(is_valid_checkpoint_file_name("../model.safetensors"));
  EXPECT_FALSE(is_valid_checkpoint_file_name("a/b"));
  EXPECT_FALSE(is_valid_checkpoint_file_name(".hidden"));
  EXPECT_FALSE(is_valid_checkpoint_file_name("manifest.json"));
  EXPECT_FALSE(is_valid_checkpoint_file_name("bad\nname"));
  EXPECT_FALSE(is_valid_checkpoint_file_name(std::string(256, 'a')));
}

}  // namespace
}  // namespace bahed::checkpoints
