#pragma once
// Crash-safe small-file publication (datasets, reports, pretraining
// outputs, address files): a reader sees the old file or the complete new
// one, never a torn write. Published versions have their own writer
// (checkpoints/), which also sets modes.
#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"

namespace bahed {

// Writes `contents` to `<path>.tmp`, fsyncs it, renames it to `path` and
// fsyncs the directory. IOError names the path and errno's text.
[[nodiscard]] Status write_file_atomically(const std::filesystem::path& path, std::string_view contents);

// fsyncs an existing file or directory (after a library wrote it, e.g.
// torch::save), so a following rename publishes durable bytes.
[[nodiscard]] Status sync_path(const std::filesystem::path& path);

// Reads a whole file. NotFound when it does not exist, IOError otherwise.
Result<std::string> read_whole_file(const std::filesystem::path& path);

}  // namespace bahed
