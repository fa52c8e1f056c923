#pragma once
// Retention: deleting old versions after a publication.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace bahed::checkpoints {

struct RetentionOutcome {
  // Versions deleted, ascending.
  std::vector<int64_t> removed;
  // One message per version that could not be deleted.
  std::vector<std::string> failures;
};

// Deletes every version folder except the `keep` highest-numbered ones and
// `latest` (the version LATEST names, kept even when older). Each folder is
// first renamed to `.tmp-<name>-deleted-<temp_suffix>` and then removed, so
// readers never see a half-deleted version and a crash in between leaves a
// temporary folder that the next publisher removes at open.
RetentionOutcome remove_old_versions(const std::filesystem::path& publish_dir, int64_t keep, int64_t latest,
                                     std::string_view temp_suffix);

}  // namespace bahed::checkpoints
