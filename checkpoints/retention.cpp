#include "checkpoints/retention.h"

#include <system_error>

#include "checkpoints/version_layout.h"

namespace bahed::checkpoints {

RetentionOutcome remove_old_versions(const std::filesystem::path& publish_dir, int64_t keep, int64_t latest,
                                     std::string_view temp_suffix) {
  RetentionOutcome outcome;
  Result<std::vector<int64_t>> versions = list_versions(publish_dir);
  if (!versions.is_ok()) {
    outcome.failures.push_back(versions.status().to_string());
    return outcome;
  }
  const auto n_versions = static_cast<int64_t>(versions->size());
  for (int64_t i = 0; i < n_versions - keep; ++i) {
    const int64_t version = (*versions)[static_cast<size_t>(i)];
    if (version == latest) continue;
    const std::string name = version_dir_name(version);
    const auto doomed = publish_dir / (std::string(kTempPrefix) + name + "-deleted-" + std::string(temp_suffix));
    std::error_code ec;
    std::filesystem::rename(publish_dir / name, doomed, ec);
    if (ec) {
      outcome.failures.push_back("cannot rename " + name + " for deletion: " + ec.message());
      continue;
    }
    outcome.removed.push_back(version);  // invisible to readers from here on
    std::filesystem::remove_all(doomed, ec);
    if (ec) outcome.failures.push_back("cannot remove " + doomed.string() + ": " + ec.message());
  }
  return outcome;
}

}  // namespace bahed::checkpoints
