#include "encoder/tokenizer/sentencepiece_tokenizer.h"

#include <cstdio>
#include <fstream>
#include <queue>
#include <sstream>

#include "common/utf8.h"

namespace bahed::encoder {
namespace {

constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";  // U+2581, SentencePiece's escaped space

// llama.cpp's llama_token_type values in tokenizer.ggml.token_type.
enum class GgufTokenType : int64_t {
  kUndefined = 0,
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

// Parses "<0xNN>" into its byte; -1 for any other spelling.
int byte_piece_value(std::string_view piece) {
  if (piece.size() != 6 || piece.substr(0, 3) != "<0x" || piece[5] != '>') return -1;
  unsigned value = 0;
  if (std::sscanf(std::string(piece.substr(3, 2)).c_str(), "%2X", &value) != 1) return -1;
  return static_cast<int>(value);
}

}  // namespace

// Working memory of one encode call.
struct SentencePieceTokenizer::Scratch {
  struct Symbol {
    size_t begin;  // byte range in the normalized text
    size_t size;   // 0 once merged into its left neighbour
    int32_t prev;
    int32_t next;
    bool frozen;   // a user-defined piece: never merged
  };
  // Two adjacent symbols whose concatenation is a piece. Stale entries (a
  // side already changed) are recognised by their size and dropped.
  struct Pair {
    float score;
    int32_t left;
    int32_t right;
    size_t size;
    bool operator<(const Pair& other) const {
      // Highest score first; among equals the leftmost, as SentencePiece.
      return score != other.score ? score < other.score : left > other.left;
    }
  };
  std::vector<Symbol> symbols;
  // Merges into unused pieces, to be undone when emitting (SentencePiece's
  // rev_merge): merged text -> (left text, right text).
  std::unordered_map<std::string_view, std::pair<std::string_view, std::string_view>> unused_merges;
};

Result<std::unique_ptr<SentencePieceTokenizer>> SentencePieceTokenizer::from_model_file(
    const std::filesystem::path& path, const SpecialTokenConfig& special) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::not_found(path.string() + " does not exist");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  if (!in || !(bytes << in.rdbuf())) return Status::io_error(path.string() + ": cannot read");
  auto model = parse_sentencepiece_model(bytes.str());
  if (!model) return model.status().with_context(path.string());
  auto tokenizer = from_model(std::move(model).value(), special);
  if (!tokenizer) return tokenizer.status().with_context(path.string());
  return tokenizer;
}

Result<std::unique_ptr<SentencePieceTokenizer>> SentencePieceTokenizer::from_model(SentencePieceModel model,
                                                                                    const SpecialTokenConfig& special) {
  if (model.model_type != SentencePieceModelType::kBpe) {
    return Status::invalid_argument("SentencePiece model type " + std::to_string(static_cast<int>(model.model_type)) +
                                    " is not supported; only BPE (train with --model_type=bpe)");
  }
  if (!model.precompiled_charsmap.empty()) {
    return Status::invalid_argument("SentencePiece normalization rule '" + model.normalizer_name +
                                    "' is not supported; only identity (train with "
                                    "--normalization_rule_name=identity)");
  }
  if (model.treat_whitespace_as_suffix) {
    return Status::invalid_argument("SentencePiece treat_whitespace_as_suffix is not supported");
  }
  if (model.pieces.size() > (size_t{1} << 30)) return Status::invalid_argument("SentencePiece vocabulary too large");

  std::unique_ptr<SentencePieceTokenizer> t(new SentencePieceTokenizer());
  BAHED_RETURN_IF_ERROR(t->index_pieces(model));
  t->byte_fallback_ = model.byte_fallback;
  t->unk_surface_ = model.unk_surface;
  t->add_dummy_prefix_ = model.add_dummy_prefix;
  t->remove_extra_whitespaces_ = model.remove_extra_whitespaces;
  t->escape_whitespaces_ = model.escape_whitespaces;
  t->pieces_ = std::move(model.pieces);
  t->resolve_special_tokens(model.bos_piece, model.eos_piece, special);
  return t;
}

Status SentencePieceTokenizer::index_pieces(const SentencePieceModel& model) {
  byte_ids_.fill(-1);
  unk_id_ = -1;
  std::vector<AddedToken> user_defined;
  std::vector<AddedToken> controls;
  for (size_t i = 0; i < model.pieces.size(); ++i) {
    const SentencePiece& piece = model.pieces[i];
    const auto id = static_cast<int32_t>(i);
    if (piece.piece.empty()) continue;
    all_.emplace(piece.piece, id);
    switch (piece.type) {
      case PieceType::kNormal:
      case PieceType::kUnused:
        mergeable_.emplace(piece.piece, id);
        break;
      case PieceType::kUserDefined:
        mergeable_.emplace(piece.piece, id);
        user_defined.push_back(AddedToken{piece.piece, id});
        break;
      case PieceType::kUnknown:
        if (unk_id_ < 0) unk_id_ = id;
        break;
      case PieceType::kControl:
        controls.push_back(AddedToken{piece.piece, id, /*special=*/true});
        break;
      case PieceType::kByte:
        if (const int b = byte_piece_value(piece.piece); b >= 0 && byte_ids_[b] < 0) byte_ids_[b] = id;
        break;
    }
  }
  if (unk_id_ < 0) return Status::invalid_argument("SentencePiece model has no unknown piece");
  if (model.byte_fallback) {
    for (int b = 0; b < 256; ++b) {
      if (byte_ids_[b] < 0) return Status::invalid_argument("SentencePiece byte_fallback without all 256 byte pieces");
    }
  }
  user_defined_ = AddedTokenMatcher(std::move(user_defined));
  control_ = AddedTokenMatcher(std::move(controls));
  return Status::ok();
}

void SentencePieceTokenizer::resolve_special_tokens(const std::string& bos_piece, const std::string& eos_piece,
                                                    const SpecialTokenConfig& special) {
  // SentencePiece finds BOS/EOS by name, and only among control pieces.
  auto control_named = [&](const std::string& name) -> std::optional<int32_t> {
    auto id = token_to_id(name);
    if (!id || pieces_[*id].type != PieceType::kControl) return std::nullopt;
    return id;
  };
  auto in_range = [&](std::optional<int32_t> id) { return id && *id >= 0 && *id < vocab_size(); };
  bos_id_ = control_named(bos_piece);
  eos_id_ = control_named(eos_piece);
  if (special.bos_token) {
    bos_id_ = token_to_id(*special.bos_token);
  } else if (in_range(special.bos_token_id)) {
    bos_id_ = special.bos_token_id;
  }
  if (special.eos_token) {
    eos_id_ = token_to_id(*special.eos_token);
  } else if (in_range(special.eos_token_id)) {
    eos_id_ = special.eos_token_id;
  }
  add_bos_ = special.add_bos_token.value_or(true);
}

Result<std::unique_ptr<SentencePieceTokenizer>> SentencePieceTokenizer::from_gguf(const GgufMetadata& gguf) {
  const auto* tokens = gguf.string_array("tokenizer.ggml.tokens");
  const auto* scores = gguf.real_array("tokenizer.ggml.scores");
  const auto* types = gguf.integer_array("tokenizer.ggml.token_type");
  if (!tokens || tokens->empty()) return Status::corruption("GGUF: no tokenizer.ggml.tokens");
  if (scores && scores->size() != tokens->size()) return Status::corruption("GGUF: scores and tokens differ in length");
  if (types && types->size() != tokens->size()) return Status::corruption("GGUF: token_type and tokens differ in length");
  const auto n = static_cast<int64_t>(tokens->size());
  auto id_key = [&](std::string_view key, int64_t fallback) -> std::optional<int32_t> {
    const int64_t id = gguf.integer_value(key).value_or(fallback);
    if (id < 0 || id >= n) return std::nullopt;
    return static_cast<int32_t>(id);
  };
  const std::optional<int32_t> unk_id = id_key("tokenizer.ggml.unknown_token_id", 0);
  if (!unk_id) return Status::invalid_argument("GGUF: SentencePiece vocabulary without an unknown token");

  SentencePieceModel model;
  model.model_type = SentencePieceModelType::kBpe;
  model.normalizer_name = "identity";
  model.add_dummy_prefix = gguf.bool_value("tokenizer.ggml.add_space_prefix").value_or(true);
  model.remove_extra_whitespaces = gguf.bool_value("tokenizer.ggml.remove_extra_whitespaces").value_or(false);
  model.pieces.resize(tokens->size());
  for (int64_t id = 0; id < n; ++id) {
    SentencePiece& piece = model.pieces[id];
    piece.piece = (*tokens)[id];
    piece.score = scores ? static_cast<float>((*scores)[id]) : 0.0f;
    switch (types ? static_cast<GgufTokenType>((*types)[id]) : GgufTokenType::kNormal) {
      // Phi-3 tags placeholder tokens "unknown"; like llama.cpp, only the
      // designated id acts as <unk>, the others are never produced.
      case GgufTokenType::kUnknown:
      case GgufTokenType::kControl: piece.type = PieceType::kControl; break;
      case GgufTokenType::kUserDefined: piece.type = PieceType::kUserDefined; break;
      case GgufTokenType::kUnused: piece.type = PieceType::kUnused; break;
      case GgufTokenType::kByte:
        piece.type = PieceType::kByte;
        model.byte_fallback = true;
        break;
      default: piece.type = PieceType::kNormal; break;
    }
    if (id == *unk_id) piece.type = PieceType::kUnknown;
  }
  SpecialTokenConfig special;
  special.bos_token_id = id_key("tokenizer.ggml.bos_token_id", 1);
  special.eos_token_id = id_key("tokenizer.ggml.eos_token_id", 2);
  special.add_bos_token = gguf.bool_value("tokenizer.ggml.add_bos_token").value_or(true);
  return from_model(std::move(model), special);
}

std::optional<int32_t> SentencePieceTokenizer::token_to_id(std::string_view token) const {
  auto it = all_.find(token);
  if (it == all_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> SentencePieceTokenizer::id_to_token(int32_t id) const {
  if (id < 0 || id >= vocab_size()) return std::nullopt;
  return pieces_[id].piece;
}

std::optional<int32_t> SentencePieceTokenizer::mergeable_id(std::string_view piece) const {
  auto it = mergeable_.find(piece);
  if (it == mergeable_.end()) return std::nullopt;
  return it->second;
}

std::string SentencePieceTokenizer::normalize(std::string_view text) const {
  std::string trimmed;
  if (remove_extra_whitespaces_) {
    // Leading and trailing spaces go, inner runs become one space.
    bool pending_space = false;
    for (char c : text) {
      if (c == ' ') {
        pending_space = !trimmed.empty();
        continue;
      }
      if (pending_space) trimmed.push_back(' ');
      pending_space = false;
      trimmed.push_back(c);
    }
    text = trimmed;
  }
  std::string out;
  if (text.empty()) return out;
  out.reserve(text.size() + 16);
  if (add_dummy_prefix_) out += escape_whitespaces_ ? kSpaceSymbol : " ";
  for (char c : text) {
    if (c == ' ' && escape_whitespaces_) {
      out += kSpaceSymbol;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::vector<int32_t> SentencePieceTokenizer::encode_text(std::string_view text, const EncodeOptions& options) const {
  std::vector<int32_t> out;
  if (options.add_bos && bos_id_) out.push_back(*bos_id_);
  std::vector<TextSegment> segments;
  control_.split(text, options.parse_special, segments);
  Scratch scratch;
  for (const TextSegment& segment : segments) {
    if (segment.token_id >= 0) {
      out.push_back(segment.token_id);
      continue;
    }
    const std::string normalized = normalize(segment.text);
    encode_bpe(normalized, scratch, out);
  }
  return out;
}

void SentencePieceTokenizer::encode_bpe(std::string_view normalized, Scratch& scratch,
                                        std::vector<int32_t>& out) const {
  auto& symbols = scratch.symbols;
  symbols.clear();
  scratch.unused_merges.clear();
  // Characters, or whole user-defined pieces, which never merge further.
  for (size_t pos = 0; pos < normalized.size();) {
    size_t n = user_defined_.match_length(normalized, pos);
    const bool frozen = n > 0;
    if (!frozen) n = utf8_sequence_length(normalized, pos);
    const auto index = static_cast<int32_t>(symbols.size());
    symbols.push_back({pos, n, index - 1, index + 1, frozen});
    pos += n;
  }
  if (symbols.empty()) return;
  symbols.back().next = -1;

  std::priority_queue<Scratch::Pair> agenda;
  auto consider = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0 || symbols[left].frozen || symbols[right].frozen) return;
    const size_t size = symbols[left].size + symbols[right].size;
    const std::string_view merged = normalized.substr(symbols[left].begin, size);
    const auto id = mergeable_id(merged);
    if (!id) return;
    agenda.push({pieces_[*id].score, left, right, size});
    if (pieces_[*id].type == PieceType::kUnused) {
      scratch.unused_merges[merged] = {normalized.substr(symbols[left].begin, symbols[left].size),
                                       normalized.substr(symbols[right].begin, symbols[right].size)};
    }
  };
  for (int32_t i = 1; i < static_cast<int32_t>(symbols.size()); ++i) consider(i - 1, i);

  while (!agenda.empty()) {
    const Scratch::Pair top = agenda.top();
    agenda.pop();
    auto& left = symbols[top.left];
    auto& right = symbols[top.right];
    if (left.size == 0 || right.size == 0 || left.size + right.size != top.size) continue;
    left.size += right.size;
    right.size = 0;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = top.left;
    consider(left.prev, top.left);
    consider(top.left, left.next);
  }
  for (int32_t i = 0; i >= 0; i = symbols[i].next) {
    emit(normalized.substr(symbols[i].begin, symbols[i].size), scratch, out);
  }
}

void SentencePieceTokenizer::emit(std::string_view piece, const Scratch& scratch, std::vector<int32_t>& out) const {
  const auto id = mergeable_id(piece);
  if (!id) {
    if (byte_fallback_) {
      for (char c : piece) out.push_back(byte_ids_[static_cast<unsigned char>(c)]);
    } else {
      out.push_back(unk_id_);
    }
    return;
  }
  if (pieces_[*id].type == PieceType::kUnused) {
    auto it = scratch.unused_merges.find(piece);
    if (it != scratch.unused_merges.end()) {
      emit(it->second.first, scratch, out);
      emit(it->second.second, scratch, out);
      return;
    }
  }
  out.push_back(*id);
}

std::string SentencePieceTokenizer::decode(const std::vector<int32_t>& ids) const {
  std::string out;
  // SentencePiece drops the space its dummy prefix added: the leading U+2581
  // of the first piece, unless text was already produced.
  bool is_bos_ws = true;
  bool bos_ws_seen = false;
  for (int32_t id : ids) {
    if (id < 0 || id >= vocab_size() || id == bos_id_ || id == eos_id_) continue;
    const SentencePiece& piece = pieces_[id];
    if (piece.type == PieceType::kByte) {
      // Bytes are appended raw; a run that is not valid UTF-8 stays as is
      // (SentencePiece would substitute U+FFFD) so no information is lost.
      if (const int b = byte_piece_value(piece.piece); b >= 0) out.push_back(static_cast<char>(b));
      continue;
    }
    if (piece.type == PieceType::kControl) continue;
    if (bos_ws_seen || !out.empty()) is_bos_ws = false;
    if (piece.type == PieceType::kUnknown) {
      out += unk_surface_;
      bos_ws_seen = false;
      continue;
    }
    std::string_view text = piece.piece;
    bos_ws_seen = false;
    if (is_bos_ws && (add_dummy_prefix_ || remove_extra_whitespaces_) && text.substr(0, kSpaceSymbol.size()) == kSpaceSymbol) {
      text.remove_prefix(kSpaceSymbol.size());
      bos_ws_seen = true;
    }
    for (size_t pos = 0; pos < text.size();) {
      if (text.substr(pos, kSpaceSymbol.size()) == kSpaceSymbol) {
        out.push_back(' ');
        pos += kSpaceSymbol.size();
      } else {
        out.push_back(text[pos++]);
      }
    }
  }
  return out;
}

}  // namespace bahed::encoder
