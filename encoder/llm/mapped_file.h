#pragma once
// MappedFile: a read-only memory map of a whole file (mmap), so multi-GB
// checkpoints are paged in on demand instead of copied. RAII: the mapping
// lives as long as the object; views into bytes() must not outlive it.
// Move-only; const methods are safe from several threads.
#include <cstddef>
#include <filesystem>
#include <span>

#include "common/result.h"

namespace bahed::encoder {

class MappedFile {
 public:
  // Maps `path` read-only. An empty file maps to an empty span.
  static Result<MappedFile> open(const std::filesystem::path& path);
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::span<const std::byte> bytes() const { return {static_cast<const std::byte*>(data_), size_}; }
  const std::filesystem::path& path() const { return path_; }

 private:
  MappedFile(void* data, size_t size, std::filesystem::path path)
      : data_(data), size_(size), path_(std::move(path)) {}
  void unmap();
  void* data_ = nullptr;
  size_t size_ = 0;
  std::filesystem::path path_;
};

}  // namespace bahed::encoder
