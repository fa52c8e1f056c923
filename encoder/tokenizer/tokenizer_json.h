#pragma once
// Reads a Hugging Face tokenizer.json into a BpeTokenizerConfig. Supported:
// model BPE (vocab; merges as "a b" strings or [a, b] pairs; byte_fallback;
// ignore_merges; unk_token), added_tokens, normalizer null / NFC (alone or in
// a Sequence), pre_tokenizer ByteLevel and Split (Isolated or Removed, with a
// Regex or String pattern) alone or in a Sequence. Anything else is refused
// with InvalidArgument naming the feature, rather than tokenizing
// differently from the model's training. Private to encoder/tokenizer/.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "encoder/tokenizer/bpe_tokenizer.h"

namespace bahed::encoder {

struct TokenizerJson {
  BpeTokenizerConfig config;
  // The special token the post-processor puts in front of every single
  // sequence (Llama 3's <|begin_of_text|>), if any: a BOS the model expects.
  std::optional<std::string> leading_special_token;
};

// NotFound when the file is missing, Corruption when it is not JSON, lacks
// required fields or names ids far beyond the tokens it lists (ids index
// dense tables), InvalidArgument for unsupported features (including a
// tokenizer that is not byte-level BPE).
Result<TokenizerJson> read_tokenizer_json(const std::filesystem::path& path);
// The same from the file's text: no NotFound or IOError, and messages
// without the path in front.
Result<TokenizerJson> parse_tokenizer_json(std::string_view json);

// Id of `text` among the config's added tokens, then its vocabulary.
std::optional<int32_t> find_token_id(const BpeTokenizerConfig& config, std::string_view text);

}  // namespace bahed::encoder
