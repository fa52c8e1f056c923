#pragma once
// File primitives for publication and verification: durable writes (data
// fsynced before success), directory fsync, bounded reads and streaming
// digests. Symlinks are never followed, so a version folder cannot point
// outside itself. Private to checkpoints/.
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"

namespace bahed::checkpoints {

struct FileDigest {
  uint64_t size_bytes = 0;
  // Lowercase hex SHA-256 of the contents.
  std::string sha256;
};

// Creates or truncates `path` with `mode` (minus umask), writes `contents`
// and, when `sync`, fsyncs before closing.
Status write_file(const std::filesystem::path& path, std::string_view contents, mode_t mode, bool sync);

// fsyncs a directory so entries created, renamed or removed in it survive a
// crash.
Status sync_directory(const std::filesystem::path& dir);

// Reads a whole regular file of at most `max_size_bytes` (NotFound when it
// does not exist, Corruption when it is larger or not a regular file).
Result<std::string> read_small_file(const std::filesystem::path& path, size_t max_size_bytes);

// Size and SHA-256 of a regular file, read in fixed-size chunks (memory use
// does not depend on the file's size). With `sync` the file is also fsynced,
// which makes data written by someone else's writer durable.
Result<FileDigest> digest_file(const std::filesystem::path& path, bool sync);

}  // namespace bahed::checkpoints
