#pragma once
// Tokenizer: text to token ids and back, for the model directories bahed
// loads (Hugging Face layout) and for llama.cpp vocabulary files.
//
// Contract:
// - encode() never fails: any byte string has an encoding (byte-level BPE
//   spells every byte; SentencePiece falls back to bytes or <unk>).
// - decode() skips special tokens (BOS, EOS, chat markers) and ids outside
//   the vocabulary; for text without special tokens, decode(encode(t)) == t
//   up to the tokenizer's own normalization (NFC, SentencePiece's dummy
//   prefix).
// - All methods are const and safe to call from several threads at once.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bahed::encoder {

struct EncodeOptions {
  // Put the BOS token first (when the vocabulary has one). Default: false.
  bool add_bos = false;
  // Recognise special tokens written in the text ("<|im_start|>", "<s>") as
  // single ids. Off for untrusted text, so a user cannot inject control
  // tokens; plain added tokens are always recognised. Default: true.
  bool parse_special = true;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  std::vector<int32_t> encode(std::string_view text, bool add_bos) const {
    EncodeOptions options;
    options.add_bos = add_bos;
    return encode_text(text, options);
  }
  std::vector<int32_t> encode(std::string_view text, const EncodeOptions& options) const {
    return encode_text(text, options);
  }

  virtual std::string decode(const std::vector<int32_t>& ids) const = 0;

  // Number of ids, including added tokens: every id is in [0, vocab_size()).
  virtual int32_t vocab_size() const = 0;
  virtual std::optional<int32_t> bos_id() const = 0;
  virtual std::optional<int32_t> eos_id() const = 0;
  // Whether the model was trained with BOS in front of every sequence
  // (tokenizer_config.json add_bos_token, GGUF add_bos_token, SentencePiece
  // models), so callers can build the inputs the model expects.
  virtual bool adds_bos_by_default() const = 0;

  // Id of a token by its vocabulary spelling ("Ġthe", "▁the", "<|im_end|>").
  virtual std::optional<int32_t> token_to_id(std::string_view token) const = 0;
  // Vocabulary spelling of an id; nullopt outside [0, vocab_size()).
  virtual std::optional<std::string> id_to_token(int32_t id) const = 0;

 private:
  virtual std::vector<int32_t> encode_text(std::string_view text, const EncodeOptions& options) const = 0;
};

// Loads the tokenizer of a Hugging Face model directory:
// - tokenizer.json when it is a byte-level BPE (Qwen2, Llama 3, GPT-2);
// - otherwise tokenizer.model (SentencePiece: Llama 2, TinyLlama, Mistral).
// BOS/EOS come from tokenizer_config.json, then config.json.
// Fails with NotFound when neither file exists, InvalidArgument when the
// files use a feature this implementation does not support (the message
// names it), Corruption when a file does not parse.
Result<std::unique_ptr<Tokenizer>> load_tokenizer(const std::filesystem::path& model_dir);

// Loads the tokenizer stored in a llama.cpp GGUF file (tokenizer.ggml.*
// keys): model "gpt2" (byte-level BPE, pre-tokenizer chosen by
// tokenizer.ggml.pre as llama.cpp does) or "llama" (SentencePiece BPE).
Result<std::unique_ptr<Tokenizer>> load_gguf_tokenizer(const std::filesystem::path& gguf_path);

}  // namespace bahed::encoder
