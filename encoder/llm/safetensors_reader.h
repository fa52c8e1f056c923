#pragma once
// Reading safetensors checkpoints: one model.safetensors, or shards listed by
// model.safetensors.index.json. Files are memory-mapped; tensors are views
// into the maps (no copy). Every header field is checked against the file
// before use, and every allocation is bounded by the file's size, so hostile
// or truncated files yield a Corruption status, never a crash.
//
// Thread safety: a SafetensorsReader is immutable after open; views stay
// valid as long as the reader lives.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "encoder/llm/mapped_file.h"
#include "encoder/llm/safetensors_format.h"

namespace bahed::encoder {

// One tensor inside a mapped file. `data` is little-endian and may be
// unaligned for its dtype: copy it out (memcpy) rather than cast the pointer.
struct TensorView {
  SafetensorsDtype dtype = SafetensorsDtype::kF32;
  std::vector<int64_t> shape;
  std::span<const std::byte> data;

  int64_t numel() const;
};

struct SafetensorsContents {
  // Sorted by name.
  std::map<std::string, TensorView, std::less<>> tensors;
  // "__metadata__" (e.g. {"format": "pt"}).
  std::map<std::string, std::string, std::less<>> metadata;
};

// Parses and validates a whole safetensors file held in memory: header length
// within the file and <= 100 MB, a JSON object header, known dtypes, offsets
// inside the data section, sizes equal to dtype size * prod(shape), tensors
// neither overlapping nor leaving gaps. Views point into `file`.
// Errors are Corruption with the offending tensor named.
Result<SafetensorsContents> parse_safetensors(std::span<const std::byte> file);

class SafetensorsReader {
 public:
  // Opens `<dir>/model.safetensors` if present, else
  // `<dir>/model.safetensors.index.json` and every shard it names. In the
  // sharded case each shard must hold exactly the tensors the weight_map
  // assigns to it.
  static Result<SafetensorsReader> open_dir(const std::filesystem::path& dir);
  // Opens one .safetensors file.
  static Result<SafetensorsReader> open_file(const std::filesystem::path& path);

  const std::map<std::string, TensorView, std::less<>>& tensors() const { return tensors_; }
  // nullptr when absent.
  const TensorView* find(std::string_view name) const;

 private:
  SafetensorsReader() = default;
  // Mapped files; tensors_ views point into them (mmap addresses survive moves).
  std::vector<MappedFile> files_;
  std::map<std::string, TensorView, std::less<>> tensors_;
};

}  // namespace bahed::encoder
