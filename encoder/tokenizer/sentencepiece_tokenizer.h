#pragma once
// SentencePieceTokenizer: SentencePiece BPE models (Llama 2, TinyLlama,
// Mistral tokenizer.model; llama.cpp GGUF "llama" vocabularies; models the
// project trains with spm_train --model_type=bpe) encoded and decoded
// natively, with the same results as libsentencepiece, which bahed cannot
// load next to LibTorch (see sentencepiece_model.h).
//
// Supported: model type BPE; normalization "identity" (no precompiled
// character map) with SentencePiece's whitespace handling (dummy prefix,
// extra-whitespace removal, U+2581 escaping); user-defined pieces; unused
// pieces (re-split as SentencePiece does); byte fallback. Unigram models and
// NFKC-style normalization rules are refused with InvalidArgument.
//
// Control pieces ("<s>", "</s>", chat markers) written in the text are
// recognised only with EncodeOptions::parse_special; SentencePiece itself
// never does that.
//
// Thread safety: immutable after creation; every method is const.
#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "encoder/tokenizer/added_token_matcher.h"
#include "encoder/tokenizer/gguf_reader.h"
#include "encoder/tokenizer/sentencepiece_model.h"
#include "encoder/tokenizer/special_token_config.h"
#include "encoder/tokenizer/string_hash.h"
#include "encoder/tokenizer/tokenizer.h"

namespace bahed::encoder {

class SentencePieceTokenizer final : public Tokenizer {
 public:
  // A tokenizer.model file. `special` (from tokenizer_config.json /
  // config.json) overrides BOS/EOS and says whether BOS is added by default
  // (true when unsaid, as for Llama).
  static Result<std::unique_ptr<SentencePieceTokenizer>> from_model_file(const std::filesystem::path& path,
                                                                          const SpecialTokenConfig& special);
  static Result<std::unique_ptr<SentencePieceTokenizer>> from_model(SentencePieceModel model,
                                                                     const SpecialTokenConfig& special);
  // A GGUF vocabulary with tokenizer.ggml.model "llama" (tokens, scores,
  // token_type, special ids, add_space_prefix), as llama.cpp reads it.
  static Result<std::unique_ptr<SentencePieceTokenizer>> from_gguf(const GgufMetadata& gguf);

  std::string decode(const std::vector<int32_t>& ids) const override;
  int32_t vocab_size() const override { return static_cast<int32_t>(pieces_.size()); }
  std::optional<int32_t> bos_id() const override { return bos_id_; }
  std::optional<int32_t> eos_id() const override { return eos_id_; }
  bool adds_bos_by_default() const override { return add_bos_ && bos_id_.has_value(); }
  std::optional<int32_t> token_to_id(std::string_view token) const override;
  std::optional<std::string> id_to_token(int32_t id) const override;

 private:
  struct Scratch;
  SentencePieceTokenizer() = default;
  // Look-up tables by piece type; fails without <unk> or with an incomplete
  // byte alphabet.
  Status index_pieces(const SentencePieceModel& model);
  void resolve_special_tokens(const std::string& bos_piece, const std::string& eos_piece,
                              const SpecialTokenConfig& special);
  std::vector<int32_t> encode_text(std::string_view text, const EncodeOptions& options) const override;
  // SentencePiece's normalizer for the identity rule: whitespace only.
  std::string normalize(std::string_view text) const;
  void encode_bpe(std::string_view normalized, Scratch& scratch, std::vector<int32_t>& out) const;
  // Emits the ids of one final symbol: its piece, the parts of an unused
  // piece, or byte-fallback / <unk> ids for text outside the vocabulary.
  void emit(std::string_view piece, const Scratch& scratch, std::vector<int32_t>& out) const;
  std::optional<int32_t> mergeable_id(std::string_view piece) const;

  std::vector<SentencePiece> pieces_;
  // Pieces BPE may produce: normal, user-defined and unused ones.
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> mergeable_;
  // Every piece by spelling (first id wins), for token_to_id.
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> all_;
  AddedTokenMatcher user_defined_;
  AddedTokenMatcher control_;
  std::array<int32_t, 256> byte_ids_{};
  bool byte_fallback_ = false;
  int32_t unk_id_ = 0;
  std::string unk_surface_;
  bool add_dummy_prefix_ = true;
  bool remove_extra_whitespaces_ = true;
  bool escape_whitespaces_ = true;
  std::optional<int32_t> bos_id_;
  std::optional<int32_t> eos_id_;
  bool add_bos_ = true;
};

}  // namespace bahed::encoder
