#pragma once
// The names inside a publish directory (design.md "Checkpoints"):
//   v000123/         a complete, immutable version
//   LATEST           one line naming the newest complete version
//   LATEST.tmp       LATEST being replaced (a crash may leave it)
//   .tmp-v000124-*   a version being built, or an old one being deleted
//   .lock            held by the one publisher of the directory
// Everything else in the directory is ignored by readers.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bahed::checkpoints {

inline constexpr std::string_view kManifestFileName = "manifest.json";
inline constexpr std::string_view kLatestFileName = "LATEST";
inline constexpr std::string_view kLatestTempFileName = "LATEST.tmp";
inline constexpr std::string_view kTempPrefix = ".tmp-";
inline constexpr std::string_view kLockFileName = ".lock";
// LATEST holds a version name and a newline; anything longer is corrupt.
inline constexpr size_t kMaxLatestBytes = 64;

// "v000123": 'v' and the number zero-padded to at least six digits.
std::string version_dir_name(int64_t version);
// The inverse: a version >= 1 for "v" followed by six or more digits that
// version_dir_name would produce, nullopt for anything else.
std::optional<int64_t> parse_version_dir_name(std::string_view name);

// Versions present as directories, ascending. Temporary folders and other
// entries are skipped. NotFound when the directory does not exist.
Result<std::vector<int64_t>> list_versions(const std::filesystem::path& publish_dir);

// The version LATEST names (NotFound when there is no LATEST, Corruption
// when it does not hold exactly one version name).
Result<int64_t> read_latest(const std::filesystem::path& publish_dir);

// A file name that may appear in a version's file list: 1-255 bytes, no
// '/', NUL or control characters, not starting with '.', not the manifest.
bool is_valid_checkpoint_file_name(std::string_view name);

}  // namespace bahed::checkpoints
