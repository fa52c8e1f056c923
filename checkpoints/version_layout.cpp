#include "checkpoints/version_layout.h"

#include <algorithm>
#include <charconv>
#include <system_error>

#include "checkpoints/file_io.h"

namespace bahed::checkpoints {

std::string version_dir_name(int64_t version) {
  std::string digits = std::to_string(version);
  if (digits.size() < 6) digits.insert(0, 6 - digits.size(), '0');
  return "v" + digits;
}

std::optional<int64_t> parse_version_dir_name(std::string_view name) {
  if (name.size() < 7 || name.size() > 20 || name[0] != 'v') return std::nullopt;
  const std::string_view digits = name.substr(1);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  int64_t version = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
  if (ec != std::errc() || end != digits.data() + digits.size() || version < 1) return std::nullopt;
  // Canonical spelling only, so one version has one directory name.
  if (version_dir_name(version) != name) return std::nullopt;
  return version;
}

Result<std::vector<int64_t>> list_versions(const std::filesystem::path& publish_dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(publish_dir, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return Status::not_found("no publish directory " + publish_dir.string());
    return Status::io_error("cannot list " + publish_dir.string() + ": " + ec.message());
  }
  std::vector<int64_t> versions;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const auto version = parse_version_dir_name(it->path().filename().string());
    if (!version) continue;
    std::error_code type_ec;
    if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) versions.push_back(*version);
  }
  if (ec) return Status::io_error("cannot list " + publish_dir.string() + ": " + ec.message());
  std::sort(versions.begin(), versions.end());
  return versions;
}

Result<int64_t> read_latest(const std::filesystem::path& publish_dir) {
  const auto path = publish_dir / kLatestFileName;
  BAHED_ASSIGN_OR_RETURN(std::string text, read_small_file(path, kMaxLatestBytes));
  std::string_view name(text);
  if (!name.empty() && name.back() == '\n') name.remove_suffix(1);
  const auto version = parse_version_dir_name(name);
  if (!version) return Status::corruption(path.string() + " does not name a version (expected e.g. v000001)");
  return *version;
}

bool is_valid_checkpoint_file_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '.' || name == kManifestFileName) return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return c == '/' || u < 0x20 || u == 0x7f;
  });
}

}  // namespace bahed::checkpoints
