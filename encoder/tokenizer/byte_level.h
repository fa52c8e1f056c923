#pragma once
// GPT-2's byte-level alphabet: every byte 0..255 maps to one printable code
// point, so a byte-level BPE vocabulary can spell any byte string with
// ordinary characters (space becomes U+0120 'Ġ', newline U+010A 'Ċ'). Bytes
// that are already printable Latin-1 map to themselves; the others take the
// code points from U+0100 upward, in byte order. Private to encoder/tokenizer/.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bahed::encoder {

namespace byte_level_detail {
constexpr bool keeps_itself(int b) {
  return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}
constexpr std::array<uint16_t, 256> make_byte_to_code_point() {
  std::array<uint16_t, 256> table{};
  int n_shifted = 0;
  for (int b = 0; b < 256; ++b) {
    table[b] = static_cast<uint16_t>(keeps_itself(b) ? b : 256 + n_shifted++);
  }
  return table;
}
}  // namespace byte_level_detail

// Code point that stands for byte `b`.
inline constexpr std::array<uint16_t, 256> kByteToCodePoint = byte_level_detail::make_byte_to_code_point();
// One past the largest code point in the alphabet.
inline constexpr uint32_t kByteLevelCodePointLimit = 0x144;

// Maps raw bytes to their byte-level spelling (UTF-8 of the mapped code points).
std::string byte_level_encode(std::string_view bytes);

// Inverse of byte_level_encode; nullopt when `text` holds a character outside
// the alphabet (a token that was never byte-level, such as an added token).
std::optional<std::string> byte_level_decode(std::string_view text);

}  // namespace bahed::encoder
