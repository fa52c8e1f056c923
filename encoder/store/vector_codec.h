#pragma once
// The stored form of one behavior vector (a file format):
//   byte 0      format, kVectorFormatV1
//   byte 1      dtype, VectorDtype's value (1 = fp16, 2 = bf16)
//   bytes 2-5   dimension, uint32 big-endian
//   bytes 6-9   last-seen day (days since the Unix epoch), uint32 big-endian;
//               the TTL compaction filter reads it without decoding the rest
//   bytes 10-   dimension 16-bit values, big-endian
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "encoder/store/store_options.h"

namespace bahed::encoder {

constexpr uint8_t kVectorFormatV1 = 1;
constexpr size_t kVectorHeaderBytes = 10;

struct VectorHeader {
  VectorDtype dtype = VectorDtype::kBf16;
  uint32_t dimension = 0;
  uint32_t last_seen_day = 0;
};

struct DecodedVector {
  std::vector<float> values;
  VectorDtype dtype = VectorDtype::kBf16;  // as stored, so a rewrite keeps it
  uint32_t last_seen_day = 0;
};

std::string encode_vector(std::span<const float> values, VectorDtype dtype, uint32_t last_seen_day);

// The header alone; nullopt if the value is shorter than a header or names
// an unknown format or dtype. Does not check the payload length.
std::optional<VectorHeader> parse_vector_header(std::string_view value);

// Decodes a value whose key is `key_hex`. Corruption (naming the key) when
// the header is unknown, the dimension differs from `expected_dimension`, or
// the payload length disagrees with the header.
Result<DecodedVector> decode_vector(std::string_view value, uint32_t expected_dimension, std::string_view key_hex);

}  // namespace bahed::encoder
