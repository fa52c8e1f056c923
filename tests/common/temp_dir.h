#pragma once
// TempDir: a fresh directory under the system temp dir (mkdtemp, so tests
// running in parallel never share one), removed with its contents when the
// object goes away. Header-only test helper.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace bahed::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "bahed_test_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed under " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);  // best effort: a leftover temp dir harms nothing
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The path of `child` inside the directory, as a string (for options structs).
  std::string path(const std::string& child) const { return (path_ / child).string(); }
  // Writes `bytes` to `child` inside the directory.
  void write(const std::string& child, const std::string& bytes) const {
    std::ofstream(path_ / child, std::ios::binary) << bytes;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace bahed::testing
