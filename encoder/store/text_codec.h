#pragma once
// The stored form of one behavior's text, the value of the `texts` family
// (a file format):
//   byte 0   format, kTextFormatV1
//   varint   feature length in bytes (LEB128: 7 bits a byte, low bits
//            first; one byte for features shorter than 128 bytes)
//   then the feature's bytes, then the normalized text's bytes (the rest of
//   the value)
// The key is the 16-byte behavior hash (Hash128::bytes()). A typical value
// costs 2 bytes more than the two strings.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "encoder/store/store_types.h"

namespace bahed::encoder {

constexpr uint8_t kTextFormatV1 = 1;

std::string encode_behavior_text(std::string_view feature, std::string_view normalized_text);

// Corruption naming `key_hex` if the format byte is unknown, the varint is
// malformed, or the feature length runs past the value.
Result<BehaviorText> decode_behavior_text(std::string_view value, std::string_view key_hex);

}  // namespace bahed::encoder
