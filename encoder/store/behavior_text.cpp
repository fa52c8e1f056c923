#include "encoder/store/behavior_text.h"

#include <cstdint>

#include "common/nfc_normalizer.h"
#include "common/utf8.h"

namespace bahed::encoder {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one UTF-8 sequence at text[i]; advances i. An invalid sequence
// consumes one byte and yields U+FFFD.
char32_t next_code_point(std::string_view text, size_t& i) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++i;
    return kReplacement;
  }
  if (i + len > text.size()) {
    ++i;
    return kReplacement;
  }
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return kReplacement;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return kReplacement;
  }
  i += len;
  return cp;
}

bool is_whitespace(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// Checked after is_whitespace, so \t \n etc. and NEL never reach here.
bool is_stripped_control(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x200B || cp == 0xFEFF;
}

}  // namespace

std::string normalize_behavior_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;  // whitespace seen since the last kept character
  size_t i = 0;
  while (i < text.size()) {
    const char32_t cp = next_code_point(text, i);
    if (is_whitespace(cp)) {
      pending_space = !out.empty();  // leading whitespace is dropped
      continue;
    }
    if (is_stripped_control(cp)) continue;
    if (pending_space) out.push_back(' ');
    pending_space = false;
    utf8_append(cp, out);
  }
  // Trailing whitespace was pending and is dropped. NFC last: see the header.
  return nfc_normalize(out);
}

}  // namespace bahed::encoder
