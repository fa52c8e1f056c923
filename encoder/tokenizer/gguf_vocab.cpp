// load_gguf_tokenizer: builds a Tokenizer from the tokenizer.ggml.* keys of a
// llama.cpp GGUF file, following llama.cpp's llama_vocab::impl::load.
#include "encoder/tokenizer/bpe_tokenizer.h"
#include "encoder/tokenizer/gguf_reader.h"
#include "encoder/tokenizer/llama_pre_tokenizers.h"
#include "encoder/tokenizer/sentencepiece_tokenizer.h"
#include "encoder/tokenizer/tokenizer.h"

namespace bahed::encoder {
namespace {

// llama.cpp's llama_token_type values in tokenizer.ggml.token_type.
constexpr int64_t kTypeUnknown = 2;
constexpr int64_t kTypeControl = 3;
constexpr int64_t kTypeUserDefined = 4;

Result<std::unique_ptr<Tokenizer>> load_gguf_bpe(const GgufMetadata& gguf) {
  const std::string pre(gguf.string_value("tokenizer.ggml.pre").value_or("default"));
  std::optional<LlamaPreTokenizer> pre_tokenizer = llama_pre_tokenizer(pre);
  if (!pre_tokenizer) {
    return Status::invalid_argument("GGUF pre-tokenizer '" + pre + "' is not supported (needs code beyond regexes)");
  }
  const auto* tokens = gguf.string_array("tokenizer.ggml.tokens");
  const auto* merges = gguf.string_array("tokenizer.ggml.merges");
  const auto* types = gguf.integer_array("tokenizer.ggml.token_type");
  if (!tokens || tokens->empty()) return Status::corruption("GGUF: no tokenizer.ggml.tokens");
  if (!merges) return Status::corruption("GGUF: no tokenizer.ggml.merges");
  if (types && types->size() != tokens->size()) return Status::corruption("GGUF: token_type and tokens differ in length");

  BpeTokenizerConfig config;
  config.byte_level = true;
  config.ignore_merges = pre_tokenizer->ignore_merges;
  for (std::string& regex : pre_tokenizer->regexes) config.split_rules.push_back(SplitRule{std::move(regex)});
  config.vocab = *tokens;
  if (types) {
    for (size_t id = 0; id < tokens->size(); ++id) {
      const int64_t type = (*types)[id];
      if (type != kTypeControl && type != kTypeUserDefined && type != kTypeUnknown) continue;
      AddedToken token;
      token.content = (*tokens)[id];
      token.id = static_cast<int32_t>(id);
      // User-defined tokens are always split out of the text, control and
      // unknown ones only with parse_special (llama.cpp tokenizer_st_partition).
      token.special = type != kTypeUserDefined;
      if (!token.content.empty()) config.added_tokens.push_back(std::move(token));
    }
  }
  config.merges.reserve(merges->size());
  for (const std::string& merge : *merges) {
    const size_t space = merge.find(' ', 1);
    if (space == std::string::npos) return Status::corruption("GGUF: merge '" + merge + "' is not two tokens");
    config.merges.emplace_back(merge.substr(0, space), merge.substr(space + 1));
  }
  const auto n = static_cast<int64_t>(tokens->size());
  auto id_key = [&](std::string_view key) -> std::optional<int32_t> {
    auto id = gguf.integer_value(key);
    if (!id || *id < 0 || *id >= n) return std::nullopt;
    return static_cast<int32_t>(*id);
  };
  config.bos_id = id_key("tokenizer.ggml.bos_token_id");
  config.eos_id = id_key("tokenizer.ggml.eos_token_id");
  config.unk_id = id_key("tokenizer.ggml.unknown_token_id");
  config.add_bos = gguf.bool_value("tokenizer.ggml.add_bos_token").value_or(pre_tokenizer->add_bos);
  BAHED_ASSIGN_OR_RETURN(auto tokenizer, BpeTokenizer::create(std::move(config)));
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

}  // namespace

Result<std::unique_ptr<Tokenizer>> load_gguf_tokenizer(const std::filesystem::path& gguf_path) {
  BAHED_ASSIGN_OR_RETURN(GgufMetadata gguf, GgufMetadata::read(gguf_path));
  const std::string model(gguf.string_value("tokenizer.ggml.model").value_or(""));
  if (model == "gpt2") {
    auto tokenizer = load_gguf_bpe(gguf);
    if (!tokenizer) return tokenizer.status().with_context(gguf_path.string());
    return tokenizer;
  }
  if (model == "llama") {
    auto tokenizer = SentencePieceTokenizer::from_gguf(gguf);
    if (!tokenizer) return tokenizer.status().with_context(gguf_path.string());
    return std::unique_ptr<Tokenizer>(std::move(tokenizer).value());
  }
  return Status::invalid_argument(gguf_path.string() + ": GGUF tokenizer model '" + model +
                                  "' is not supported (gpt2 and llama are)");
}

}  // namespace bahed::encoder
