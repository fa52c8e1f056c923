#pragma once
// AddedTokenMatcher: finds added tokens (Hugging Face `added_tokens`, GGUF
// CONTROL and USER_DEFINED tokens) in raw text before any normalization or
// pre-tokenization, so "<|im_start|>" becomes one id instead of seven pieces.
// Matching is leftmost-longest over a byte trie, as Hugging Face's
// Aho-Corasick matcher does. Private to encoder/tokenizer/.
//
// Thread safety: split() is const and safe to call concurrently.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bahed::encoder {

struct AddedToken {
  std::string content;
  int32_t id = -1;
  // Special tokens (BOS, chat markers) are matched only when the caller asks
  // for it; plain added tokens are always matched, as in Hugging Face and
  // llama.cpp.
  bool special = false;
  // Swallow whitespace to the left / right of the match.
  bool lstrip = false;
  bool rstrip = false;
  // Match only when not inside a word (ASCII letters, digits, underscore).
  bool single_word = false;
};

// A piece of the input: either raw text still to tokenize, or one added token.
struct TextSegment {
  std::string_view text;  // the raw text, or the matched token's text
  int32_t token_id = -1;  // >= 0 when this segment is an added token
};

class AddedTokenMatcher {
 public:
  AddedTokenMatcher() = default;
  explicit AddedTokenMatcher(std::vector<AddedToken> tokens);

  // Appends the segments of `text` to `out`, in order. Raw-text segments are
  // never empty. With parse_special false, special tokens are left as text.
  void split(std::string_view text, bool parse_special, std::vector<TextSegment>& out) const;

  // Length of the longest token (special or not) that starts at text[pos],
  // or 0. SentencePiece's prefix matcher for user-defined pieces.
  size_t match_length(std::string_view text, size_t pos) const;

  const std::vector<AddedToken>& tokens() const { return tokens_; }
  bool empty() const { return tokens_.empty(); }

 private:
  struct Node {
    std::vector<std::pair<unsigned char, int32_t>> children;  // sorted by byte
    int32_t token_index = -1;                                   // into tokens_
  };
  int32_t child(int32_t node, unsigned char byte) const;
  // Longest token (index into tokens_) starting at text[pos], or -1.
  int32_t longest_match(std::string_view text, size_t pos, bool parse_special) const;

  std::vector<AddedToken> tokens_;
  std::vector<Node> nodes_;            // nodes_[0] is the root
  std::array<int32_t, 256> root_{};    // the root's children, for speed
};

}  // namespace bahed::encoder
