#include "encoder/store/vector_codec.h"

#include "encoder/store/big_endian.h"
#include "encoder/store/half_float.h"

namespace bahed::encoder {

std::string encode_vector(std::span<const float> values, VectorDtype dtype, uint32_t last_seen_day) {
  std::string out;
  out.reserve(kVectorHeaderBytes + 2 * values.size());
  out.push_back(static_cast<char>(kVectorFormatV1));
  out.push_back(static_cast<char>(dtype));
  put_u32_be(out, static_cast<uint32_t>(values.size()));
  put_u32_be(out, last_seen_day);
  if (dtype == VectorDtype::kFp16) {
    for (const float v : values) put_u16_be(out, float_to_fp16(v));
  } else {
    for (const float v : values) put_u16_be(out, float_to_bf16(v));
  }
  return out;
}

std::optional<VectorHeader> parse_vector_header(std::string_view value) {
  if (value.size() < kVectorHeaderBytes) return std::nullopt;
  if (static_cast<uint8_t>(value[0]) != kVectorFormatV1) return std::nullopt;
  const auto dtype_byte = static_cast<uint8_t>(value[1]);
  if (dtype_byte != static_cast<uint8_t>(VectorDtype::kFp16) &&
      dtype_byte != static_cast<uint8_t>(VectorDtype::kBf16)) {
    return std::nullopt;
  }
  return VectorHeader{static_cast<VectorDtype>(dtype_byte), get_u32_be(value.data() + 2), get_u32_be(value.data() + 6)};
}

Result<DecodedVector> decode_vector(std::string_view value, uint32_t expected_dimension, std::string_view key_hex) {
  const std::optional<VectorHeader> header = parse_vector_header(value);
  if (!header) {
    return Status::corruption("vector " + std::string(key_hex) + " has an unknown header (" +
                              std::to_string(value.size()) + " bytes)");
  }
  if (header->dimension != expected_dimension) {
    return Status::corruption("vector " + std::string(key_hex) + " has dimension " + std::to_string(header->dimension) +
                              ", expected " + std::to_string(expected_dimension));
  }
  const size_t expected_bytes = kVectorHeaderBytes + 2 * static_cast<size_t>(header->dimension);
  if (value.size() != expected_bytes) {
    return Status::corruption("vector " + std::string(key_hex) + " is " + std::to_string(value.size()) +
                              " bytes, its header implies " + std::to_string(expected_bytes));
  }
  DecodedVector out;
  out.dtype = header->dtype;
  out.last_seen_day = header->last_seen_day;
  out.values.resize(header->dimension);
  const char* p = value.data() + kVectorHeaderBytes;
  if (header->dtype == VectorDtype::kFp16) {
    for (auto& v : out.values) {
      v = fp16_to_float(get_u16_be(p));
      p += 2;
    }
  } else {
    for (auto& v : out.values) {
      v = bf16_to_float(get_u16_be(p));
      p += 2;
    }
  }
  return out;
}

}  // namespace bahed::encoder
