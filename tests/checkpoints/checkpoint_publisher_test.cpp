#include "checkpoints/checkpoint_publisher.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "checkpoint_test_util.h"
#include "checkpoints/sha256.h"
#include "checkpoints/version_layout.h"

namespace bahed::checkpoints {
namespace {

namespace fs = std::filesystem;
using testing::overwrite_file;
using testing::read_file;
using testing::sample_fields;
using testing::tiny_safetensors;

class CheckpointPublisherTest : public ::testing::Test {
 protected:
  fs::path publish_dir() const { return tmp_.path() / "published"; }

  PublisherOptions options(int64_t keep_versions = 5) const {
    PublisherOptions o;
    o.publish_dir = publish_dir();
    o.keep_versions = keep_versions;
    return o;
  }

  std::unique_ptr<CheckpointPublisher> open_publisher(int64_t keep_versions = 5) {
    auto publisher = CheckpointPublisher::open(options(keep_versions), clock_, make_null_logger("checkpoints"));
    EXPECT_TRUE(publisher.is_ok()) << publisher.status().to_string();
    return publisher.is_ok() ? std::move(publisher).value() : nullptr;
  }

  static std::vector<CheckpointFile> model_files(int seed) {
    return {CheckpointFile::from_bytes("model.safetensors", tiny_safetensors(seed))};
  }

  // Entries of the publish directory other than LATEST and the lock file.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(publish_dir())) {
      const std::string name = e.path().filename().string();
      if (name != kLatestFileName && name != kLockFileName) names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string latest() const { return read_file(publish_dir() / kLatestFileName); }

  testing::TempDir tmp_;
  FakeClock clock_;
};

TEST_F(CheckpointPublisherTest, MovesLatestToSecondVersionWhenPublishedTwice) {
  auto publisher = open_publisher();
  ASSERT_NE(publisher, nullptr);
  EXPECT_EQ(publisher->next_version(), 1);
  const auto first = publisher->publish(sample_fields(10), model_files(1));
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  clock_.advance_ms(60'000);
  const auto second = publisher->publish(sample_fields(20), model_files(2));
  ASSERT_TRUE(second.is_ok()) << second.status().to_string();

  EXPECT_EQ(latest(), "v000002\n");
  EXPECT_EQ(entries(), (std::vector<std::string>{"v000001", "v000002"}));
  EXPECT_EQ(first->version, 1);
  EXPECT_FALSE(first->manifest.parent.has_value());
  EXPECT_EQ(second->version, 2);
  EXPECT_EQ(second->manifest.parent, 1);
  EXPECT_EQ(second->manifest.created_at_ms, first->manifest.created_at_ms + 60'000);
  EXPECT_EQ(second->dir, publish_dir() / "v000002");
  EXPECT_EQ(read_file(second->dir / "model.safetensors"), tiny_safetensors(2));
  EXPECT_EQ(publisher->metrics().n_published, 2);
  EXPECT_EQ(publisher->metrics().latest_version, 2);
}

TEST_F(CheckpointPublisherTest, WritesManifestThatReadsBackEqualWhenPublished) {
  auto publisher = open_publisher();
  ASSERT_NE(publisher, nullptr);
  ManifestFields fields = sample_fields(7);
  fields.model_config = "{ \"hidden\": 64 }";  // stored minified
  const auto published = publisher->publish(fields, model_files(3));
  ASSERT_TRUE(published.is_ok()) << published.status().to_string();

  const auto read = read_manifest(published->dir);
  ASSERT_TRUE(read.is_ok()) << read.status().to_string();
  EXPECT_EQ(*read, published->manifest);
  EXPECT_EQ(read->fields.model_config, R"({"hidden":64})");
  EXPECT_EQ(read->fields.offsets, fields.offsets);
  EXPECT_EQ(read->fields.metrics, fields.metrics);
  ASSERT_EQ(read->files.size(), 1U);
  EXPECT_EQ(read->files[0].name, "model.safetensors");
  EXPECT_EQ(read->files[0].size_bytes, tiny_safetensors(3).size());
  EXPECT_EQ(read->files[0].sha256, sha256_hex(tiny_safetensors(3)));
}

TEST_F(CheckpointPublisherTest, KeepsLastKVersionsWhenMorePublished) {
  auto publisher = open_publisher(/*keep_versions=*/2);
  ASSERT_NE(publisher, nullptr);
  std::vector<int64_t> removed;
  for (int i = 1; i <= 4; ++i) {
    const auto published = publisher->publish(sample_fields(i), model_files(i));
    ASSERT_TRUE(published.is_ok()) << published.status().to_string();
    removed.insert(removed.end(), published->removed_versions.begin(), published->removed_versions.end());
  }
  EXPECT_EQ(entries(), (std::vector<std::string>{"v000003", "v000004"}));
  EXPECT_EQ(removed, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(publisher->metrics().n_versions_removed, 2);
  EXPECT_EQ(latest(), "v000004\n");
}

TEST_F(CheckpointPublisherTest, LeavesNoVersionAndLatestUnchangedWhenWriterFails) {
  auto publisher = open_publisher();
  ASSERT_NE(publisher, nullptr);
  ASSERT_TRUE(publisher->publish(sample_fields(1), model_files(1)).is_ok());
  const std::vector<CheckpointFile> crashing = {
      CheckpointFile::from_bytes("head.bin", "written before the crash"),
      {"model.safetensors", [](const fs::path& file) {
         overwrite_file(file, "half a file");
         return Status::io_error("disk full (simulated)");
       }}};
  const auto failed = publisher->publish(sample_fields(2), crashing);
  ASSERT_FALSE(failed.is_ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kIOError);
  EXPECT_NE(failed.status().message().find("model.safetensors"), std::string::npos) << failed.status().message();
  EXPECT_EQ(entries(), (std::vector<std::string>{"v000001"}));  // no v000002, no .tmp-*
  EXPECT_EQ(latest(), "v000001\n");
  EXPECT_EQ(publisher->metrics().n_publish_failures, 1);

  const auto next = publisher->publish(sample_fields(2), model_files(2));
  ASSERT_TRUE(next.is_ok()) << next.status().to_string();
  EXPECT_EQ(next->version, 2);
  EXPECT_EQ(next->manifest.parent, 1);
}

TEST_F(CheckpointPublisherTest, RefusesVersionWhenWriterLeavesUndeclaredFile) {
  auto publisher = open_publisher();
  ASSERT_NE(publisher, nullptr);
  const std::vector<CheckpointFile> sloppy = {{"model.safetensors", [](const fs::path& file) {
                                                 overwrite_file(file, tiny_safetensors(1));
                                                 overwrite_file(file.parent_path() / "scratch.tmp", "x");
                                                 return Status::ok();
                                               }}};
  const auto failed = publisher->publish(sample_fields(1), sloppy);
  ASSERT_FALSE(failed.is_ok());
  EXPECT_NE(failed.status().message().find("scratch.tmp"), std::string::npos);
  EXPECT_TRUE(entries().empty());
  EXPECT_FALSE(fs::exists(publish_dir() / kLatestFileName));
}

TEST_F(CheckpointPublisherTest, RefusesRequestWhenNamesOrFieldsAreInvalid) {
  auto publisher = open_publisher();
  ASSERT_NE(publisher, nullptr);
  EXPECT_EQ(publisher->publish(sample_fields(1), {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(publisher->publish(sample_fields(1), {CheckpointFile::from_bytes("../x", "y")}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(publisher->publish(sample_fields(1), {CheckpointFile::from_bytes("manifest.json", "{}")}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(publisher->publish(sample_fields(1), {CheckpointFile::from_bytes("a", "1"), CheckpointFile::from_bytes("a", "2")})
                .status().code(),
            StatusCode::kInvalidArgument);
  ManifestFields bad = sample_fields(1);
  bad.model_config = "not json";
  EXPECT_EQ(publisher->publish(bad, model_files(1)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(entries().empty());
  EXPECT_EQ(publisher->next_version(), 1);
}

TEST_F(CheckpointPublisherTest, RemovesLeftoverTempFoldersWhenOpened) {
  fs::create_directories(publish_dir() / ".tmp-v000003-0123456789abcdef");
  overwrite_file(publish_dir() / ".tmp-v000003-0123456789abcdef" / "model.safetensors", "partial");
  overwrite_file(publish_dir() / kLatestTempFileName, "v000003\n");
  auto publisher = open_publisher();
  ASSERT_NE(publisher, nullptr);
  EXPECT_TRUE(entries().empty());
  EXPECT_EQ(publisher->metrics().n_stale_temp_removed, 2);
  EXPECT_EQ(publisher->next_version(), 1);  // a half-built version takes no number
}

TEST_F(CheckpointPublisherTest, ResumesNumberingWhenReopened) {
  {
    auto publisher = open_publisher();
    ASSERT_NE(publisher, nullptr);
    ASSERT_TRUE(publisher->publish(sample_fields(1), model_files(1)).is_ok());
    ASSERT_TRUE(publisher->publish(sample_fields(2), model_files(2)).is_ok());
  }
  auto reopened = open_publisher();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->next_version(), 3);
  EXPECT_EQ(reopened->parent(), 2);
  const auto third = reopened->publish(sample_fields(3), model_files(3));
  ASSERT_TRUE(third.is_ok()) << third.status().to_string();
  EXPECT_EQ(third->version, 3);
  EXPECT_EQ(third->manifest.parent, 2);
  EXPECT_EQ(latest(), "v000003\n");
}

TEST_F(CheckpointPublisherTest, SkipsNumberOfOrphanWhenLatestNeverMovedToIt) {
  {
    auto publisher = open_publisher();
    ASSERT_NE(publisher, nullptr);
    ASSERT_TRUE(publisher->publish(sample_fields(1), model_files(1)).is_ok());
    ASSERT_TRUE(publisher->publish(sample_fields(2), model_files(2)).is_ok());
  }
  overwrite_file(publish_dir() / kLatestFileName, "v000001\n");  // crash between rename and LATEST
  auto reopened = open_publisher();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->next_version(), 3);
  EXPECT_EQ(reopened->parent(), 1);
}

TEST_F(CheckpointPublisherTest, RefusesSecondPublisherWhenDirectoryIsLocked) {
  auto first = open_publisher();
  ASSERT_NE(first, nullptr);
  const auto second = CheckpointPublisher::open(options(), clock_, make_null_logger("checkpoints"));
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  first.reset();
  EXPECT_TRUE(CheckpointPublisher::open(options(), clock_, make_null_logger("checkpoints")).is_ok());
}

TEST_F(CheckpointPublisherTest, CreatesPublishDirWithoutOtherAccessWhenMissing) {
  auto publisher = open_publisher();
  ASSERT_NE(publisher, nullptr);
  struct stat st {};
  ASSERT_EQ(::stat(publish_dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0700, 0700U);
  EXPECT_EQ(st.st_mode & 0007, 0U);
  // A writer that creates its file with the umask's mode (as LibTorch's and
  // std::ofstream do).
  std::vector<CheckpointFile> files = model_files(1);
  files.push_back({"extra.json", [](const fs::path& file) {
                     std::ofstream(file) << "{}";
                     return Status::ok();
                   }});
  const auto published = publisher->publish(sample_fields(1), files);
  ASSERT_TRUE(published.is_ok()) << published.status().to_string();
  ASSERT_EQ(::stat(published->dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0007, 0U);
  // Every file of the version, whoever wrote it, has the files' mode.
  int n_files = 0;
  for (const auto& entry : fs::directory_iterator(published->dir)) {
    ASSERT_EQ(::stat(entry.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, options().file_mode()) << entry.path();
    ++n_files;
  }
  EXPECT_EQ(n_files, 3);
}

TEST_F(CheckpointPublisherTest, ReportsPauseFromClockWhenWritersTakeTime) {
  auto publisher = open_publisher();
  ASSERT_NE(publisher, nullptr);
  const std::vector<CheckpointFile> slow = {{"model.safetensors", [this](const fs::path& file) {
                                               clock_.advance_ms(250);
                                               overwrite_file(file, tiny_safetensors(1));
                                               return Status::ok();
                                             }}};
  const auto published = publisher->publish(sample_fields(1), slow);
  ASSERT_TRUE(published.is_ok()) << published.status().to_string();
  EXPECT_EQ(published->duration_ms, 250);
  EXPECT_EQ(publisher->metrics().last_publish_ms, 250);
}

TEST_F(CheckpointPublisherTest, NamesChosenParentWhenSetAfterRestore) {
  auto publisher = open_publisher();
  ASSERT_NE(publisher, nullptr);
  ASSERT_TRUE(publisher->publish(sample_fields(1), model_files(1)).is_ok());
  ASSERT_TRUE(publisher->publish(sample_fields(2), model_files(2)).is_ok());
  publisher->set_parent(1);  // v000002 was refused; training resumed from v000001
  const auto third = publisher->publish(sample_fields(3), model_files(3));
  ASSERT_TRUE(third.is_ok());
  EXPECT_EQ(third->manifest.parent, 1);
}

}  // namespace
}  // namespace bahed::checkpoints
