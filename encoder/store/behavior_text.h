#pragma once
// normalize_behavior_text: the canonical form of an atomic behavior's text,
// the form that is hashed into its key and the form the encoder must encode
// (so a key and its vector always describe the same string).
#include <string>
#include <string_view>

namespace bahed::encoder {

// Returns `text` transformed in this order:
//  1. invalid UTF-8 (stray, overlong, surrogate or out-of-range sequences)
//     replaced by U+FFFD, one per offending byte, so the result is valid UTF-8;
//  2. control characters removed: C0 (U+0000..U+001F) other than whitespace,
//     DEL, C1 (U+0080..U+009F) other than NEL, and the invisible U+200B (zero
//     width space) and U+FEFF (byte order mark);
//  3. leading and trailing whitespace removed and every internal run of
//     whitespace (ASCII space, \t \n \v \f \r, NEL, NBSP and the other Unicode
//     space separators, U+2028/U+2029) replaced by one ASCII space;
//  4. Unicode NFC (common/nfc_normalizer.h), so a precomposed "é" and
//     "e" + U+0301 give the same text, hence the same behavior key.
// NFC comes last so that a mark separated from its base only by a removed
// control still composes with it; NFC never yields whitespace or controls,
// so the result is a fixed point (normalizing it again changes nothing).
// Not done: NFKC and case folding. Case is kept on purpose (it can carry
// meaning to the LLM), and compatibility forms (ligatures, full-width
// letters) stay distinct, which costs at most a duplicate vector.
// Changing any step changes behavior keys: every stored vector and history
// entry would then name a different hash.
// Pure function, thread-safe.
std::string normalize_behavior_text(std::string_view text);

}  // namespace bahed::encoder
