// load_tokenizer: picks the tokenizer of a Hugging Face model directory.
#include "encoder/tokenizer/tokenizer.h"

#include "encoder/tokenizer/bpe_tokenizer.h"
#include "encoder/tokenizer/sentencepiece_tokenizer.h"
#include "encoder/tokenizer/special_token_config.h"
#include "encoder/tokenizer/tokenizer_json.h"

namespace bahed::encoder {
namespace {

// BOS/EOS for a tokenizer.json: tokenizer_config.json names them by text,
// config.json by id, and the post-processor's leading special token says
// which token starts every sequence.
void resolve_special_tokens(const SpecialTokenConfig& special, const TokenizerJson& json, BpeTokenizerConfig& config) {
  const auto n = static_cast<int64_t>(config.vocab.size());
  auto in_range = [&](std::optional<int32_t> id) -> std::optional<int32_t> {
    if (!id) return std::nullopt;
    for (const AddedToken& token : config.added_tokens) {
      if (token.id == *id) return id;
    }
    return *id < n && !config.vocab[*id].empty() ? id : std::nullopt;
  };
  if (special.bos_token) {
    config.bos_id = find_token_id(config, *special.bos_token);
  } else if (special.bos_token_id) {
    config.bos_id = in_range(special.bos_token_id);
  } else if (json.leading_special_token) {
    config.bos_id = find_token_id(config, *json.leading_special_token);
  }
  if (special.eos_token) {
    config.eos_id = find_token_id(config, *special.eos_token);
  } else if (special.eos_token_id) {
    config.eos_id = in_range(special.eos_token_id);
  }
  if (special.add_bos_token) {
    config.add_bos = *special.add_bos_token;
  } else {
    config.add_bos = json.leading_special_token && config.bos_id &&
                     find_token_id(config, *json.leading_special_token) == config.bos_id;
  }
}

}  // namespace

Result<std::unique_ptr<Tokenizer>> load_tokenizer(const std::filesystem::path& model_dir) {
  const std::filesystem::path json_path = model_dir / "tokenizer.json";
  const std::filesystem::path model_path = model_dir / "tokenizer.model";
  std::error_code ec;
  const bool has_json = std::filesystem::exists(json_path, ec);
  const bool has_model = std::filesystem::exists(model_path, ec);
  if (!has_json && !has_model) {
    return Status::not_found(model_dir.string() + " has neither tokenizer.json nor tokenizer.model");
  }
  BAHED_ASSIGN_OR_RETURN(SpecialTokenConfig special, read_special_token_config(model_dir));

  if (has_json) {
    Result<TokenizerJson> json = read_tokenizer_json(json_path);
    if (json) {
      resolve_special_tokens(special, *json, json->config);
      BAHED_ASSIGN_OR_RETURN(auto tokenizer, BpeTokenizer::create(std::move(json->config)));
      return std::unique_ptr<Tokenizer>(std::move(tokenizer));
    }
    // A tokenizer.json this implementation cannot run exactly (for example
    // the SentencePiece-style one shipped beside Llama 2's tokenizer.model)
    // falls back to the SentencePiece original when it is there.
    if (json.status().code() != StatusCode::kInvalidArgument || !has_model) return json.status();
  }
  BAHED_ASSIGN_OR_RETURN(auto tokenizer, SentencePieceTokenizer::from_model_file(model_path, special));
  return std::unique_ptr<Tokenizer>(std::move(tokenizer));
}

}  // namespace bahed::encoder
