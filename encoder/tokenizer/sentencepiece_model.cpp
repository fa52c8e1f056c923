#include "encoder/tokenizer/sentencepiece_model.h"

#include <cstring>

namespace bahed::encoder {
namespace {

// Protobuf wire types.
constexpr uint32_t kVarint = 0;
constexpr uint32_t kFixed64 = 1;
constexpr uint32_t kLengthDelimited = 2;
constexpr uint32_t kFixed32 = 5;

// Field numbers from sentencepiece_model.proto.
constexpr uint32_t kModelPieces = 1, kModelTrainerSpec = 2, kModelNormalizerSpec = 3;
constexpr uint32_t kPiecePiece = 1, kPieceScore = 2, kPieceType = 3;
constexpr uint32_t kTrainerModelType = 3, kTrainerVocabSize = 4, kTrainerTreatWhitespaceAsSuffix = 24,
                   kTrainerByteFallback = 35, kTrainerUnkSurface = 44, kTrainerUnkPiece = 45,
                   kTrainerBosPiece = 46, kTrainerEosPiece = 47, kTrainerPadPiece = 48;
constexpr uint32_t kNormalizerName = 1, kNormalizerCharsmap = 2, kNormalizerAddDummyPrefix = 3,
                   kNormalizerRemoveExtraWhitespaces = 4, kNormalizerEscapeWhitespaces = 5;

// One field of a message: its number, wire type and payload.
struct Field {
  uint32_t number = 0;
  uint32_t wire_type = 0;
  uint64_t varint = 0;       // kVarint
  uint32_t fixed32 = 0;      // kFixed32
  std::string_view bytes;    // kLengthDelimited
};

class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}
  bool done() const { return pos_ >= data_.size(); }

  Status next(Field& field) {
    uint64_t tag = 0;
    BAHED_RETURN_IF_ERROR(varint(tag));
    field.number = static_cast<uint32_t>(tag >> 3);
    field.wire_type = static_cast<uint32_t>(tag & 7);
    switch (field.wire_type) {
      case kVarint: return varint(field.varint);
      case kFixed64: return take(8, field.bytes);
      case kFixed32: {
        BAHED_RETURN_IF_ERROR(take(4, field.bytes));
        std::memcpy(&field.fixed32, field.bytes.data(), 4);
        return Status::ok();
      }
      case kLengthDelimited: {
        uint64_t n = 0;
        BAHED_RETURN_IF_ERROR(varint(n));
        return take(n, field.bytes);
      }
      default: return Status::corruption("SentencePiece model: unsupported wire type " + std::to_string(field.wire_type));
    }
  }

 private:
  Status varint(uint64_t& out) {
    out = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return Status::corruption("SentencePiece model: truncated varint");
      const auto byte = static_cast<unsigned char>(data_[pos_++]);
      out |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if (byte < 0x80) return Status::ok();
    }
    return Status::corruption("SentencePiece model: varint too long");
  }
  Status take(uint64_t n, std::string_view& out) {
    if (n > data_.size() - pos_) return Status::corruption("SentencePiece model: truncated field");
    out = data_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return Status::ok();
  }

  std::string_view data_;
  size_t pos_ = 0;
};

Status expect(const Field& field, uint32_t wire_type) {
  if (field.wire_type != wire_type) {
    return Status::corruption("SentencePiece model: field " + std::to_string(field.number) + " has wire type " +
                              std::to_string(field.wire_type));
  }
  return Status::ok();
}

Status parse_piece(std::string_view bytes, SentencePiece& piece) {
  WireReader reader(bytes);
  Field field;
  while (!reader.done()) {
    BAHED_RETURN_IF_ERROR(reader.next(field));
    if (field.number == kPiecePiece) {
      BAHED_RETURN_IF_ERROR(expect(field, kLengthDelimited));
      piece.piece = std::string(field.bytes);
    } else if (field.number == kPieceScore) {
      BAHED_RETURN_IF_ERROR(expect(field, kFixed32));
      std::memcpy(&piece.score, &field.fixed32, 4);
    } else if (field.number == kPieceType) {
      BAHED_RETURN_IF_ERROR(expect(field, kVarint));
      if (field.varint < 1 || field.varint > 6) return Status::corruption("SentencePiece model: bad piece type");
      piece.type = static_cast<PieceType>(field.varint);
    }
  }
  return Status::ok();
}

Status parse_trainer_spec(std::string_view bytes, SentencePieceModel& model) {
  WireReader reader(bytes);
  Field field;
  while (!reader.done()) {
    BAHED_RETURN_IF_ERROR(reader.next(field));
    switch (field.number) {
      case kTrainerModelType:
        BAHED_RETURN_IF_ERROR(expect(field, kVarint));
        model.model_type = static_cast<SentencePieceModelType>(field.varint);
        break;
      case kTrainerTreatWhitespaceAsSuffix:
        BAHED_RETURN_IF_ERROR(expect(field, kVarint));
        model.treat_whitespace_as_suffix = field.varint != 0;
        break;
      case kTrainerByteFallback:
        BAHED_RETURN_IF_ERROR(expect(field, kVarint));
        model.byte_fallback = field.varint != 0;
        break;
      case kTrainerUnkSurface:
      case kTrainerUnkPiece:
      case kTrainerBosPiece:
      case kTrainerEosPiece:
      case kTrainerPadPiece: {
        BAHED_RETURN_IF_ERROR(expect(field, kLengthDelimited));
        std::string* target = field.number == kTrainerUnkSurface ? &model.unk_surface
                              : field.number == kTrainerUnkPiece ? &model.unk_piece
                              : field.number == kTrainerBosPiece ? &model.bos_piece
                              : field.number == kTrainerEosPiece ? &model.eos_piece
                                                                 : &model.pad_piece;
        *target = std::string(field.bytes);
        break;
      }
      default:
        break;  // training-only settings
    }
  }
  return Status::ok();
}

Status parse_normalizer_spec(std::string_view bytes, SentencePieceModel& model) {
  WireReader reader(bytes);
  Field field;
  while (!reader.done()) {
    BAHED_RETURN_IF_ERROR(reader.next(field));
    switch (field.number) {
      case kNormalizerName:
        BAHED_RETURN_IF_ERROR(expect(field, kLengthDelimited));
        model.normalizer_name = std::string(field.bytes);
        break;
      case kNormalizerCharsmap:
        BAHED_RETURN_IF_ERROR(expect(field, kLengthDelimited));
        model.precompiled_charsmap = std::string(field.bytes);
        break;
      case kNormalizerAddDummyPrefix:
      case kNormalizerRemoveExtraWhitespaces:
      case kNormalizerEscapeWhitespaces: {
        BAHED_RETURN_IF_ERROR(expect(field, kVarint));
        bool* target = field.number == kNormalizerAddDummyPrefix           ? &model.add_dummy_prefix
                       : field.number == kNormalizerRemoveExtraWhitespaces ? &model.remove_extra_whitespaces
                                                                           : &model.escape_whitespaces;
        *target = field.varint != 0;
        break;
      }
      default:
        break;
    }
  }
  return Status::ok();
}

void put_varint(uint64_t value, std::string& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}
void put_tag(uint32_t field, uint32_t wire_type, std::string& out) { put_varint((field << 3) | wire_type, out); }
void put_int(uint32_t field, int64_t value, std::string& out) {
  put_tag(field, kVarint, out);
  put_varint(static_cast<uint64_t>(value), out);  // negative int32: sign-extended, as protobuf does
}
void put_bytes(uint32_t field, std::string_view value, std::string& out) {
  put_tag(field, kLengthDelimited, out);
  put_varint(value.size(), out);
  out += value;
}
void put_float(uint32_t field, float value, std::string& out) {
  put_tag(field, kFixed32, out);
  char raw[4];
  std::memcpy(raw, &value, 4);  // protobuf floats are little-endian, as is every host we build for
  out.append(raw, 4);
}

}  // namespace

Result<SentencePieceModel> parse_sentencepiece_model(std::string_view bytes) {
  SentencePieceModel model;
  WireReader reader(bytes);
  Field field;
  while (!reader.done()) {
    BAHED_RETURN_IF_ERROR(reader.next(field));
    if (field.number == kModelPieces) {
      BAHED_RETURN_IF_ERROR(expect(field, kLengthDelimited));
      SentencePiece piece;
      BAHED_RETURN_IF_ERROR(parse_piece(field.bytes, piece));
      model.pieces.push_back(std::move(piece));
    } else if (field.number == kModelTrainerSpec) {
      BAHED_RETURN_IF_ERROR(expect(field, kLengthDelimited));
      BAHED_RETURN_IF_ERROR(parse_trainer_spec(field.bytes, model));
    } else if (field.number == kModelNormalizerSpec) {
      BAHED_RETURN_IF_ERROR(expect(field, kLengthDelimited));
      BAHED_RETURN_IF_ERROR(parse_normalizer_spec(field.bytes, model));
    }
  }
  if (model.pieces.empty()) return Status::corruption("SentencePiece model has no pieces");
  return model;
}

std::string serialize_sentencepiece_model(const SentencePieceModel& model) {
  std::string out;
  std::string message;
  for (const SentencePiece& piece : model.pieces) {
    message.clear();
    put_bytes(kPiecePiece, piece.piece, message);
    put_float(kPieceScore, piece.score, message);
    put_int(kPieceType, static_cast<int32_t>(piece.type), message);
    put_bytes(kModelPieces, message, out);
  }
  message.clear();
  put_int(kTrainerModelType, static_cast<int32_t>(model.model_type), message);
  put_int(kTrainerVocabSize, static_cast<int64_t>(model.pieces.size()), message);
  put_int(kTrainerTreatWhitespaceAsSuffix, model.treat_whitespace_as_suffix, message);
  put_int(kTrainerByteFallback, model.byte_fallback, message);
  put_bytes(kTrainerUnkSurface, model.unk_surface, message);
  put_bytes(kTrainerUnkPiece, model.unk_piece, message);
  put_bytes(kTrainerBosPiece, model.bos_piece, message);
  put_bytes(kTrainerEosPiece, model.eos_piece, message);
  put_bytes(kTrainerPadPiece, model.pad_piece, message);
  put_bytes(kModelTrainerSpec, message, out);

  message.clear();
  put_bytes(kNormalizerName, model.normalizer_name, message);
  if (!model.precompiled_charsmap.empty()) put_bytes(kNormalizerCharsmap, model.precompiled_charsmap, message);
  put_int(kNormalizerAddDummyPrefix, model.add_dummy_prefix, message);
  put_int(kNormalizerRemoveExtraWhitespaces, model.remove_extra_whitespaces, message);
  put_int(kNormalizerEscapeWhitespaces, model.escape_whitespaces, message);
  put_bytes(kModelNormalizerSpec, message, out);
  return out;
}

}  // namespace bahed::encoder
