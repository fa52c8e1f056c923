#pragma once
// Writing safetensors files that Hugging Face's reader (and ours) accepts:
// header keys sorted by name, header padded with spaces so the data section
// starts 8-byte aligned, tensors contiguous (largest element size first, then
// by name, so each tensor is aligned to its element size), "__metadata__"
// carrying {"format": "pt"} as transformers expects. The file is fsynced
// before success is returned; publishing it atomically (write into a
// temporary directory, rename) is the caller's job.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "encoder/llm/safetensors_format.h"

namespace bahed::encoder {

// One tensor to write. `data` (little-endian, row-major) must hold exactly
// dtype size * prod(shape) bytes and stay valid during the write.
struct SafetensorsEntry {
  std::string name;
  SafetensorsDtype dtype = SafetensorsDtype::kF32;
  std::vector<int64_t> shape;
  std::span<const std::byte> data;
};

// The 8-byte length prefix plus the padded JSON header for `entries`, with
// data offsets in the order described above. Refuses (InvalidArgument) empty
// or duplicate names, "__metadata__" as a name, negative dims and sizes that
// do not match dtype and shape.
Result<std::string> build_safetensors_header(const std::vector<SafetensorsEntry>& entries,
                                             const std::map<std::string, std::string>& metadata);

// Writes `path` (created or truncated) and fsyncs it.
Status write_safetensors(const std::filesystem::path& path, const std::vector<SafetensorsEntry>& entries,
                         const std::map<std::string, std::string>& metadata = {{"format", "pt"}});

}  // namespace bahed::encoder
