#pragma once
// The smallest tokenizer bahed loads: a Hugging Face tokenizer.json of a
// byte-level BPE with no merges (one token per byte, ids 0..255) plus <s>
// (256) and </s> (257). For random models (`bahectl model init`), where a
// trained vocabulary would be meaningless; real models bring their own.
#include <cstdint>
#include <string>

namespace bahed::encoder {

inline constexpr int32_t kByteTokenizerBos = 256;
inline constexpr int32_t kByteTokenizerEos = 257;
inline constexpr int32_t kByteTokenizerVocabSize = 258;

// tokenizer.json text.
std::string byte_tokenizer_json();
// tokenizer_config.json text (BOS added in front of every sequence).
std::string byte_tokenizer_config_json();

}  // namespace bahed::encoder
