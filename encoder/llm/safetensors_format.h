#pragma once
// The safetensors file format (https://github.com/huggingface/safetensors),
// shared by the reader and the writer:
//   [8 bytes: header length N, little-endian u64]
//   [N bytes: JSON {"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}}]
//   [data: tensors, row-major, little-endian; offsets relative to the data start]
// Hugging Face's reader requires tensors to tile the data section exactly (no
// gap, no overlap, nothing after the last one); bahed's reader checks the same.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace bahed::encoder {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; a big-endian host would need byte swaps");

// Hugging Face caps the JSON header at 100 MB; so do we, before allocating.
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

enum class SafetensorsDtype { kBool, kU8, kI8, kI16, kU16, kF16, kBF16, kI32, kU32, kF32, kF64, kI64, kU64, kF8E4M3, kF8E5M2 };

// Bytes per element.
inline size_t safetensors_dtype_size(SafetensorsDtype d) {
  switch (d) {
    case SafetensorsDtype::kBool:
    case SafetensorsDtype::kU8:
    case SafetensorsDtype::kI8:
    case SafetensorsDtype::kF8E4M3:
    case SafetensorsDtype::kF8E5M2: return 1;
    case SafetensorsDtype::kI16:
    case SafetensorsDtype::kU16:
    case SafetensorsDtype::kF16:
    case SafetensorsDtype::kBF16: return 2;
    case SafetensorsDtype::kI32:
    case SafetensorsDtype::kU32:
    case SafetensorsDtype::kF32: return 4;
    case SafetensorsDtype::kF64:
    case SafetensorsDtype::kI64:
    case SafetensorsDtype::kU64: return 8;
  }
  return 1;
}

inline constexpr std::pair<SafetensorsDtype, std::string_view> kSafetensorsDtypeNames[] = {
    {SafetensorsDtype::kBool, "BOOL"}, {SafetensorsDtype::kU8, "U8"},     {SafetensorsDtype::kI8, "I8"},
    {SafetensorsDtype::kI16, "I16"},   {SafetensorsDtype::kU16, "U16"},   {SafetensorsDtype::kF16, "F16"},
    {SafetensorsDtype::kBF16, "BF16"}, {SafetensorsDtype::kI32, "I32"},   {SafetensorsDtype::kU32, "U32"},
    {SafetensorsDtype::kF32, "F32"},   {SafetensorsDtype::kF64, "F64"},   {SafetensorsDtype::kI64, "I64"},
    {SafetensorsDtype::kU64, "U64"},   {SafetensorsDtype::kF8E4M3, "F8_E4M3"}, {SafetensorsDtype::kF8E5M2, "F8_E5M2"},
};

inline std::string_view safetensors_dtype_name(SafetensorsDtype d) {
  for (const auto& [dtype, name] : kSafetensorsDtypeNames) {
    if (dtype == d) return name;
  }
  return "?";
}

inline std::optional<SafetensorsDtype> parse_safetensors_dtype(std::string_view name) {
  for (const auto& [dtype, n] : kSafetensorsDtypeNames) {
    if (n == name) return dtype;
  }
  return std::nullopt;
}

}  // namespace bahed::encoder
