#pragma once
// BpeTokenizer: byte-pair encoding as GPT-2, Llama 3 and Qwen2 use it, built
// from a plain description (BpeTokenizerConfig) that tokenizer_json.cpp fills
// from a Hugging Face tokenizer.json and gguf_vocab.cpp from a llama.cpp GGUF.
//
// Pipeline per encode: added tokens are cut out of the raw text first; each
// remaining stretch is normalized (NFC when configured), split into
// pre-tokens by the regex rules, mapped to GPT-2's byte-level alphabet, and
// merged. The merge loop keeps the symbols of one pre-token in a linked list
// and candidate pairs in a heap ordered by (merge rank, position), so a
// pre-token of n symbols costs O(n log n), with no string rebuilt per merge.
//
// Thread safety: immutable after create(); every method is const.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/result.h"
#include "encoder/tokenizer/added_token_matcher.h"
#include "encoder/tokenizer/regex_splitter.h"
#include "encoder/tokenizer/string_hash.h"
#include "encoder/tokenizer/tokenizer.h"

namespace bahed::encoder {

struct BpeTokenizerConfig {
  // Token spelling by id (byte-level alphabet for byte-level vocabularies).
  // Empty strings are holes (ids with no token) and are never produced.
  std::vector<std::string> vocab;
  // Merge rules, highest priority first. A rule whose parts or result are not
  // in the vocabulary can never fire and is dropped.
  std::vector<std::pair<std::string, std::string>> merges;
  // Matched in the raw text before anything else. Ids may lie past `vocab`.
  std::vector<AddedToken> added_tokens;
  // Pre-tokenizer regexes, applied in order.
  std::vector<SplitRule> split_rules;
  // Pre-tokens are spelled in GPT-2's byte-level alphabet before merging.
  bool byte_level = true;
  // Hugging Face ByteLevel add_prefix_space: a space in front of each text
  // stretch that does not start with one.
  bool add_prefix_space = false;
  // A character missing from the vocabulary becomes its bytes as <0xNN> tokens.
  bool byte_fallback = false;
  // A pre-token found whole in the vocabulary is emitted without merging
  // (Llama 3's tokenizer.json "ignore_merges", llama.cpp's llama-bpe).
  bool ignore_merges = false;
  // Unicode NFC normalization of each text stretch (Qwen2's normalizer).
  bool nfc = false;
  std::optional<int32_t> unk_id;
  std::optional<int32_t> bos_id;
  std::optional<int32_t> eos_id;
  bool add_bos = false;
};

class BpeTokenizer final : public Tokenizer {
 public:
  // Validates the config (ids in range, regexes compile, byte-level alphabet
  // present) and builds the look-up tables.
  static Result<std::unique_ptr<BpeTokenizer>> create(BpeTokenizerConfig config);

  std::string decode(const std::vector<int32_t>& ids) const override;
  int32_t vocab_size() const override { return static_cast<int32_t>(id_to_token_.size()); }
  std::optional<int32_t> bos_id() const override { return bos_id_; }
  std::optional<int32_t> eos_id() const override { return eos_id_; }
  bool adds_bos_by_default() const override { return add_bos_ && bos_id_.has_value(); }
  std::optional<int32_t> token_to_id(std::string_view token) const override;
  std::optional<std::string> id_to_token(int32_t id) const override;

  // Number of merge rules that can fire (after dropping unusable ones).
  size_t n_merges() const { return merges_.size(); }

 private:
  struct Scratch;
  struct MergeTarget {
    int32_t rank;
    int32_t merged_id;
  };

  explicit BpeTokenizer(RegexSplitter splitter);
  // Id tables, added tokens and the byte alphabet; fails on bad ids.
  Status build_vocabulary(BpeTokenizerConfig& config);
  // Merge rules keyed by (left id, right id); unusable rules are dropped.
  void build_merges(const std::vector<std::pair<std::string, std::string>>& merges);
  std::vector<int32_t> encode_text(std::string_view text, const EncodeOptions& options) const override;
  void encode_stretch(std::string_view text, Scratch& scratch, std::vector<int32_t>& out) const;
  void encode_word(std::string_view word, Scratch& scratch, std::vector<int32_t>& out) const;
  // Initial symbols of a pre-token, before any merge.
  void initial_symbols(std::string_view word, Scratch& scratch) const;
  // The model's vocabulary only (added tokens are matched before the model).
  std::optional<int32_t> lookup(std::string_view spelling) const;
  static uint64_t pair_key(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
  }

  RegexSplitter splitter_;
  AddedTokenMatcher added_;
  std::vector<std::string> id_to_token_;
  // Bytes each id decodes to; empty for holes.
  std::vector<std::string> id_to_bytes_;
  std::vector<bool> is_special_;
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> token_to_id_;  // the model's vocabulary
  // Added tokens whose text is not in the model's vocabulary.
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> added_token_to_id_;
  std::unordered_map<uint64_t, MergeTarget> merges_;
  std::array<int32_t, 256> byte_ids_{};           // byte-level: id of each byte's symbol
  std::array<int32_t, 256> byte_fallback_ids_{};  // <0xNN> ids, when byte_fallback
  bool byte_level_ = true;
  bool add_prefix_space_ = false;
  bool byte_fallback_ = false;
  bool ignore_merges_ = false;
  bool nfc_ = false;
  std::optional<int32_t> unk_id_;
  std::optional<int32_t> bos_id_;
  std::optional<int32_t> eos_id_;
  bool add_bos_ = false;
};

}  // namespace bahed::encoder
