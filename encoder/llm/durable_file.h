#pragma once
// Durable file writes: data is on disk (fsync) before the writer reports
// success, so a later rename publishes complete files only. Atomic
// publication itself (write into `<dir>.tmp`, then rename) is the caller's.
#include <cstddef>
#include <filesystem>
#include <string_view>

#include "common/result.h"
#include "common/status.h"

namespace bahed::encoder {

// Appends to a new file and fsyncs it on close. Move-only; the destructor
// closes without syncing (a backstop: call close() and check it).
class DurableFileWriter {
 public:
  // Creates or truncates `path`.
  static Result<DurableFileWriter> create(const std::filesystem::path& path);
  DurableFileWriter(DurableFileWriter&& other) noexcept;
  DurableFileWriter& operator=(DurableFileWriter&& other) noexcept;
  DurableFileWriter(const DurableFileWriter&) = delete;
  DurableFileWriter& operator=(const DurableFileWriter&) = delete;
  ~DurableFileWriter();

  // Writes all `size` bytes (retrying short writes and EINTR).
  Status append(const void* data, size_t size);
  Status append(std::string_view s) { return append(s.data(), s.size()); }
  // fsyncs and closes; the file is complete on disk when this returns OK.
  Status close();

 private:
  DurableFileWriter(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::filesystem::path path_;
};

// Writes `contents` to `path` and fsyncs it.
Status write_file_durably(const std::filesystem::path& path, std::string_view contents);
// fsyncs a directory so that entries created or renamed in it survive a crash.
Status sync_directory(const std::filesystem::path& dir);
// Reads a whole (small) file; refuses files larger than `max_size_bytes`.
Result<std::string> read_small_file(const std::filesystem::path& path, size_t max_size_bytes);

}  // namespace bahed::encoder
