#pragma once
// Unicode Normalization Form C, as Qwen2's tokenizer.json asks for
// ("normalizer": {"type": "NFC"}). Implemented here from generated tables
// (nfc_tables.inc) because the encoder library links no Unicode library;
// the tables follow the same Unicode version as PCRE2 on Debian 12 (14.0),
// so the normalizer and the pre-tokenizer regexes agree on what a letter is.
// Private to encoder/tokenizer/.
#include <string>
#include <string_view>

namespace bahed::encoder {

// Returns the NFC form of `text`. Bytes that are not valid UTF-8 pass through
// unchanged and block composition across them. Text whose code points are
// all below U+0300 is returned as is without further work.
std::string nfc_normalize(std::string_view text);

}  // namespace bahed::encoder
