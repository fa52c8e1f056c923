#pragma once
// normalize_behavior_text: the canonical form of an atomic behavior's text,
// the form that is hashed into its key and the form the encoder must encode
// (so a key and its vector always describe the same string).
#include <string>
#include <string_view>

namespace bahed::encoder {

// Returns `text` with:
//  - invalid UTF-8 (stray, overlong, surrogate or out-of-range sequences)
//    replaced by U+FFFD, one per offending byte, so the result is valid UTF-8;
//  - control characters removed: C0 (U+0000..U+001F) other than whitespace,
//    DEL, C1 (U+0080..U+009F) other than NEL, and the invisible U+200B (zero
//    width space) and U+FEFF (byte order mark);
//  - leading and trailing whitespace removed and every internal run of
//    whitespace (ASCII space, \t \n \v \f \r, NEL, NBSP and the other Unicode
//    space separators, U+2028/U+2029) replaced by one ASCII space.
// Not done: Unicode NFC/NFKC normalization and case folding. Case is kept on
// purpose (it can carry meaning to the LLM); composed vs decomposed accents
// hash differently, which costs at most a duplicate vector, never a wrong one.
// Pure function, thread-safe.
std::string normalize_behavior_text(std::string_view text);

}  // namespace bahed::encoder
