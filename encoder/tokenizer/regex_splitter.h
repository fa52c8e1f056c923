#pragma once
// RegexSplitter: the regular-expression part of a pre-tokenizer. Cuts text
// into pre-tokens the way Hugging Face's `Split` pre-tokenizer and llama.cpp's
// unicode_regex_split do: every match is a piece, and so is every stretch of
// text between matches. Several rules apply in sequence, each to the pieces
// the previous one produced (llama.cpp's DeepSeek and StarCoder vocabularies
// chain two to five of them). Private to encoder/tokenizer/.
//
// Patterns are PCRE2 with UTF and UCP, so \p{L}, \p{N} and \s are Unicode
// classes as in the Rust `onig`/`fancy-regex` engines the vocabularies were
// written for. Invalid UTF-8 in the text does not fail a split.
//
// Thread safety: split() is const and safe to call concurrently.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bahed::encoder {

// What happens to the matched text (Hugging Face's SplitDelimiterBehavior).
enum class SplitBehavior {
  kIsolated,  // the match is a piece of its own
  kRemoved,   // the match is dropped; only the text between matches remains
};

struct SplitRule {
  std::string pattern;
  SplitBehavior behavior = SplitBehavior::kIsolated;
};

class RegexSplitter {
 public:
  // Compiles every rule; fails with InvalidArgument naming the pattern and
  // PCRE2's message when one does not compile.
  static Result<RegexSplitter> create(const std::vector<SplitRule>& rules);

  RegexSplitter(RegexSplitter&&) noexcept;
  RegexSplitter& operator=(RegexSplitter&&) noexcept;
  ~RegexSplitter();

  // Appends the pieces of `text` to `out` as views into `text`. With no rules
  // the whole text is one piece. Empty text yields no pieces.
  void split(std::string_view text, std::vector<std::string_view>& out) const;

  size_t n_rules() const;

 private:
  struct CompiledRule;
  explicit RegexSplitter(std::vector<CompiledRule> rules);
  std::vector<CompiledRule> rules_;
};

}  // namespace bahed::encoder
