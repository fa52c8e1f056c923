#include "encoder/tokenizer/regex_splitter.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "common/utf8.h"

namespace bahed::encoder {
namespace {

struct CodeDeleter {
  void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
struct MatchDataDeleter {
  void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};
using CodePtr = std::unique_ptr<pcre2_code, CodeDeleter>;
using MatchDataPtr = std::unique_ptr<pcre2_match_data, MatchDataDeleter>;

std::string pcre2_message(int error_code) {
  PCRE2_UCHAR buffer[256];
  const int n = pcre2_get_error_message(error_code, buffer, sizeof(buffer));
  return n < 0 ? "unknown PCRE2 error " + std::to_string(error_code)
               : std::string(reinterpret_cast<const char*>(buffer), static_cast<size_t>(n));
}

}  // namespace

struct RegexSplitter::CompiledRule {
  CodePtr code;
  SplitBehavior behavior;
};

RegexSplitter::RegexSplitter(std::vector<CompiledRule> rules) : rules_(std::move(rules)) {}
RegexSplitter::RegexSplitter(RegexSplitter&&) noexcept = default;
RegexSplitter& RegexSplitter::operator=(RegexSplitter&&) noexcept = default;
RegexSplitter::~RegexSplitter() = default;

size_t RegexSplitter::n_rules() const { return rules_.size(); }

Result<RegexSplitter> RegexSplitter::create(const std::vector<SplitRule>& rules) {
  std::vector<CompiledRule> compiled;
  compiled.reserve(rules.size());
  for (const SplitRule& rule : rules) {
    int error_code = 0;
    PCRE2_SIZE error_offset = 0;
    // MATCH_INVALID_UTF: byte-level tokenizers accept any bytes, so a stray
    // invalid sequence must not make matching fail.
    CodePtr code(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(rule.pattern.data()), rule.pattern.size(),
                               PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error_code, &error_offset,
                               nullptr));
    if (!code) {
      return Status::invalid_argument("pre-tokenizer regex does not compile at offset " +
                                      std::to_string(error_offset) + ": " + pcre2_message(error_code) +
                                      ": " + rule.pattern);
    }
    // JIT is an optimisation only; without it the interpreter runs.
    pcre2_jit_compile(code.get(), PCRE2_JIT_COMPLETE);
    compiled.push_back(CompiledRule{std::move(code), rule.behavior});
  }
  return RegexSplitter(std::move(compiled));
}

namespace {

// Splits one piece with one rule, appending to `out`.
void split_one(const pcre2_code* code, SplitBehavior behavior, pcre2_match_data* match_data,
               std::string_view text, std::vector<std::string_view>& out) {
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t start = 0;
  size_t last_end = 0;
  while (start < text.size()) {
    int rc = pcre2_match(code, subject, text.size(), start, 0, match_data, nullptr);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {
      // Long runs of whitespace can exhaust the JIT's small default stack;
      // the interpreter uses the heap and gets through.
      rc = pcre2_match(code, subject, text.size(), start, PCRE2_NO_JIT, match_data, nullptr);
    }
    // No match, or a resource limit: the rest stays one piece. A limit only
    // costs tokenization quality on pathological input, never correctness of
    // the bytes, so it is not worth failing the caller's encode.
    if (rc < 0) break;
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match_data);
    const size_t match_begin = ovector[0];
    const size_t match_end = ovector[1];
    if (match_end == match_begin) {
      // Empty matches split nothing; step over one character and go on.
      start = match_begin + utf8_sequence_length(text, match_begin);
      continue;
    }
    if (match_begin > last_end) out.push_back(text.substr(last_end, match_begin - last_end));
    if (behavior == SplitBehavior::kIsolated) out.push_back(text.substr(match_begin, match_end - match_begin));
    last_end = match_end;
    start = match_end;
  }
  if (last_end < text.size()) out.push_back(text.substr(last_end));
}

}  // namespace

void RegexSplitter::split(std::string_view text, std::vector<std::string_view>& out) const {
  if (text.empty()) return;
  if (rules_.empty()) {
    out.push_back(text);
    return;
  }
  std::vector<std::string_view> current{text};
  std::vector<std::string_view> next;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const CompiledRule& rule = rules_[i];
    MatchDataPtr match_data(pcre2_match_data_create_from_pattern(rule.code.get(), nullptr));
    // The last rule writes straight into the caller's vector.
    std::vector<std::string_view>& target = i + 1 == rules_.size() ? out : next;
    for (std::string_view piece : current) split_one(rule.code.get(), rule.behavior, match_data.get(), piece, target);
    if (&target == &next) {
      current.swap(next);
      next.clear();
    }
  }
}

}  // namespace bahed::encoder
