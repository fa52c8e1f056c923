#pragma once
// GgufMetadata: the key-value header of a llama.cpp GGUF file (versions 2
// and 3, little-endian). Only the metadata is read, never tensor data, so a
// multi-gigabyte model file costs what its vocabulary costs. Every length
// and count in the file is checked against the bytes that remain before
// anything is allocated, so a truncated or hostile file fails with
// Corruption instead of exhausting memory. Private to encoder/tokenizer/.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bahed::encoder {

// GGUF value types, numbered as in the file format.
enum class GgufType : uint32_t {
  kUint8 = 0,
  kInt8 = 1,
  kUint16 = 2,
  kInt16 = 3,
  kUint32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUint64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};

struct GgufValue {
  GgufType type = GgufType::kUint8;
  GgufType element_type = GgufType::kUint8;  // arrays only
  // Scalars: integers and bools in `integer` (uint64 above INT64_MAX is
  // clamped), floats in `real`, strings in `text`.
  int64_t integer = 0;
  double real = 0;
  std::string text;
  // Arrays, by element kind; arrays of arrays are skipped (left empty).
  std::vector<int64_t> integers;
  std::vector<double> reals;
  std::vector<std::string> texts;
};

class GgufMetadata {
 public:
  // NotFound when the file is missing, IOError when it cannot be read,
  // Corruption when it is not a valid GGUF v2/v3 header.
  static Result<GgufMetadata> read(const std::filesystem::path& path);

  const GgufValue* find(std::string_view key) const;
  std::optional<std::string_view> string_value(std::string_view key) const;
  // Any integer or bool scalar.
  std::optional<int64_t> integer_value(std::string_view key) const;
  std::optional<bool> bool_value(std::string_view key) const;
  // nullptr unless the key holds an array of that element kind.
  const std::vector<std::string>* string_array(std::string_view key) const;
  const std::vector<int64_t>* integer_array(std::string_view key) const;
  const std::vector<double>* real_array(std::string_view key) const;

  uint32_t version() const { return version_; }
  size_t n_keys() const { return values_.size(); }

 private:
  uint32_t version_ = 0;
  std::map<std::string, GgufValue, std::less<>> values_;
};

}  // namespace bahed::encoder
