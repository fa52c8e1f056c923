#pragma once
// TempDir: a fresh directory under the system temp dir, removed with its
// contents when the object goes away. Header-only test helper.
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace bahed::encoder::llm_test {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "bahed_llm_test_XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace bahed::encoder::llm_test
