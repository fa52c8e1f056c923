#pragma once
// Unicode Normalization Form C, as Qwen2's tokenizer.json asks for
// ("normalizer": {"type": "NFC"}) and as the behavior store's canonical text
// requires (encoder/store/behavior_text.h). Implemented here from generated
// tables (nfc_tables.inc, written by nfc_tables_gen.py) because neither the
// encoder nor the store links a Unicode library; the tables follow the same
// Unicode version as PCRE2 on Debian 12 (14.0), so the normalizer and the
// pre-tokenizer regexes agree on what a letter is. In common/ so that
// bahed_store (no LibTorch) and bahed_encoder share one implementation.
#include <string>
#include <string_view>

namespace bahed {

// Returns the NFC form of `text`. Bytes that are not valid UTF-8 pass through
// unchanged and block composition across them. Text whose code points are
// all below U+0300 is returned as is without further work. Pure function,
// thread-safe.
std::string nfc_normalize(std::string_view text);

}  // namespace bahed
