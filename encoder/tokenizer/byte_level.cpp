#include "encoder/tokenizer/byte_level.h"

#include "common/utf8.h"

namespace bahed::encoder {
namespace {

constexpr std::array<int16_t, kByteLevelCodePointLimit> make_code_point_to_byte() {
  std::array<int16_t, kByteLevelCodePointLimit> table{};
  for (auto& v : table) v = -1;
  for (int b = 0; b < 256; ++b) table[kByteToCodePoint[b]] = static_cast<int16_t>(b);
  return table;
}
constexpr std::array<int16_t, kByteLevelCodePointLimit> kCodePointToByte = make_code_point_to_byte();

}  // namespace

std::string byte_level_encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) utf8_append(kByteToCodePoint[static_cast<unsigned char>(c)], out);
  return out;
}

std::optional<std::string> byte_level_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const size_t n = utf8_sequence_length(text, pos);
    const uint32_t cp = utf8_decode(text, pos, n);
    // A lone invalid byte decodes to a value < 0x100 that may look like a
    // valid alphabet entry; reject it, since no byte-level token holds one.
    if ((n == 1 && cp >= 0x80) || cp >= kByteLevelCodePointLimit || kCodePointToByte[cp] < 0) return std::nullopt;
    out.push_back(static_cast<char>(kCodePointToByte[cp]));
    pos += n;
  }
  return out;
}

}  // namespace bahed::encoder
