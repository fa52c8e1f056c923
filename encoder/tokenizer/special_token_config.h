#pragma once
// What a Hugging Face model directory says about BOS/EOS outside the
// tokenizer itself: tokenizer_config.json (bos_token, eos_token,
// add_bos_token) and, as a fallback, config.json (bos_token_id,
// eos_token_id). Qwen2 and Llama 3 keep these only there. Private to
// encoder/tokenizer/.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "common/result.h"

namespace bahed::encoder {

struct SpecialTokenConfig {
  std::optional<std::string> bos_token;  // token text, tokenizer_config.json
  std::optional<std::string> eos_token;
  std::optional<bool> add_bos_token;
  std::optional<int32_t> bos_token_id;  // config.json
  std::optional<int32_t> eos_token_id;  // config.json; the first when a list
};

// Missing files leave the fields empty; a file that does not parse as JSON is
// Corruption.
Result<SpecialTokenConfig> read_special_token_config(const std::filesystem::path& model_dir);

}  // namespace bahed::encoder
