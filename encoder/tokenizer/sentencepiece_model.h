#pragma once
// SentencePieceModel: the parts of a SentencePiece ModelProto (the
// tokenizer.model file) that tokenization needs, with a reader and a writer
// of its protobuf wire format.
//
// Why not libsentencepiece: Debian's libsentencepiece.so carries its own copy
// of protobuf-lite 3.14 and exports its symbols, while LibTorch loads the
// system libprotobuf 3.21. A process holding both crashes during start-up
// (libprotobuf's static initialisers bind to SentencePiece's copies), so
// nothing linked with bahed_encoder may load libsentencepiece. The wire
// format of the few fields involved is small and stable; field numbers
// follow sentencepiece_model.proto. Private to encoder/tokenizer/.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bahed::encoder {

// ModelProto.SentencePiece.Type values.
enum class PieceType : int32_t {
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

// TrainerSpec.ModelType values.
enum class SentencePieceModelType : int32_t {
  kUnigram = 1,
  kBpe = 2,
  kWord = 3,
  kChar = 4,
};

struct SentencePiece {
  std::string piece;
  float score = 0;
  PieceType type = PieceType::kNormal;
};

struct SentencePieceModel {
  std::vector<SentencePiece> pieces;  // id = index
  SentencePieceModelType model_type = SentencePieceModelType::kUnigram;
  // Pieces <0x00>..<0xFF> of type kByte spell characters the vocabulary lacks.
  bool byte_fallback = false;
  bool treat_whitespace_as_suffix = false;
  // Special pieces are found by name, as SentencePiece does.
  std::string unk_piece = "<unk>";
  std::string bos_piece = "<s>";
  std::string eos_piece = "</s>";
  std::string pad_piece = "<pad>";
  std::string unk_surface = " \xE2\x81\x87 ";  // what <unk> decodes to
  // NormalizerSpec. Proto defaults: all three flags true.
  std::string normalizer_name;
  std::string precompiled_charsmap;  // empty for the "identity" rule
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
};

// Corruption when the bytes are not a ModelProto (bad varint, truncated
// field, wrong wire type for a known field, no pieces).
Result<SentencePieceModel> parse_sentencepiece_model(std::string_view bytes);

// The ModelProto bytes for `model` (used to build test models and to turn a
// GGUF vocabulary into a tokenizer.model).
std::string serialize_sentencepiece_model(const SentencePieceModel& model);

}  // namespace bahed::encoder
