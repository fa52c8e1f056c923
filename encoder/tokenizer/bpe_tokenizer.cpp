#include "encoder/tokenizer/bpe_tokenizer.h"

#include <algorithm>
#include <cstdio>
#include <queue>

#include "common/nfc_normalizer.h"
#include "common/utf8.h"
#include "encoder/tokenizer/byte_level.h"

namespace bahed::encoder {
namespace {

std::string byte_fallback_spelling(unsigned char byte) {
  char buffer[8];
  std::snprintf(buffer, sizeof(buffer), "<0x%02X>", byte);
  return buffer;
}

// Parses "<0xNN>" into its byte; -1 for any other spelling.
int parse_byte_fallback(std::string_view token) {
  if (token.size() != 6 || token.substr(0, 3) != "<0x" || token[5] != '>') return -1;
  int value = 0;
  for (char c : token.substr(3, 2)) {
    value <<= 4;
    if (c >= '0' && c <= '9') {
      value |= c - '0';
    } else if (c >= 'A' && c <= 'F') {
      value |= c - 'A' + 10;
    } else if (c >= 'a' && c <= 'f') {
      value |= c - 'a' + 10;
    } else {
      return -1;
    }
  }
  return value;
}

}  // namespace

// Working memory of one encode call; reused across the pre-tokens of a text.
struct BpeTokenizer::Scratch {
  struct Symbol {
    int32_t id;
    int32_t prev;  // index of the previous live symbol, -1 at the start
    int32_t next;  // index of the next live symbol, -1 at the end
    bool alive;
  };
  // A pair of adjacent symbols that a merge rule could join. Stale entries
  // (one side already merged away) are detected when popped and dropped.
  struct Candidate {
    int32_t rank;
    int32_t left;
    int32_t right;
    int32_t left_id;
    int32_t right_id;
    int32_t merged_id;
    bool operator>(const Candidate& other) const {
      return rank != other.rank ? rank > other.rank : left > other.left;
    }
  };
  std::vector<Symbol> symbols;
  std::vector<TextSegment> segments;
  std::vector<std::string_view> pieces;
  std::string spelled;  // a pre-token in the byte-level alphabet
};

BpeTokenizer::BpeTokenizer(RegexSplitter splitter) : splitter_(std::move(splitter)) {}

Result<std::unique_ptr<BpeTokenizer>> BpeTokenizer::create(BpeTokenizerConfig config) {
  BAHED_ASSIGN_OR_RETURN(RegexSplitter splitter, RegexSplitter::create(config.split_rules));
  std::unique_ptr<BpeTokenizer> t(new BpeTokenizer(std::move(splitter)));
  BAHED_RETURN_IF_ERROR(t->build_vocabulary(config));
  t->build_merges(config.merges);

  const int64_t n_ids = t->vocab_size();
  auto check_id = [&](const std::optional<int32_t>& id, const char* what) -> Status {
    if (id && (*id < 0 || *id >= n_ids)) {
      return Status::invalid_argument(std::string(what) + " id " + std::to_string(*id) + " is outside the vocabulary");
    }
    return Status::ok();
  };
  BAHED_RETURN_IF_ERROR(check_id(config.unk_id, "unk"));
  BAHED_RETURN_IF_ERROR(check_id(config.bos_id, "bos"));
  BAHED_RETURN_IF_ERROR(check_id(config.eos_id, "eos"));
  t->unk_id_ = config.unk_id;
  t->bos_id_ = config.bos_id;
  t->eos_id_ = config.eos_id;
  // BOS and EOS are control tokens even when a GGUF file lists them as
  // normal, so decode() leaves them out.
  if (t->bos_id_) t->is_special_[*t->bos_id_] = true;
  if (t->eos_id_) t->is_special_[*t->eos_id_] = true;
  t->add_bos_ = config.add_bos;
  t->add_prefix_space_ = config.add_prefix_space;
  t->ignore_merges_ = config.ignore_merges;
  t->nfc_ = config.nfc;
  return t;
}

Status BpeTokenizer::build_vocabulary(BpeTokenizerConfig& config) {
  int64_t n_ids = static_cast<int64_t>(config.vocab.size());
  for (const AddedToken& token : config.added_tokens) {
    if (token.id < 0) return Status::invalid_argument("added token '" + token.content + "' has a negative id");
    if (token.content.empty()) return Status::invalid_argument("added token " + std::to_string(token.id) + " is empty");
    n_ids = std::max<int64_t>(n_ids, int64_t{token.id} + 1);
  }
  if (n_ids == 0) return Status::invalid_argument("vocabulary is empty");
  if (n_ids > (int64_t{1} << 30)) return Status::invalid_argument("vocabulary is too large");

  id_to_token_.assign(static_cast<size_t>(n_ids), std::string());
  id_to_bytes_.assign(static_cast<size_t>(n_ids), std::string());
  is_special_.assign(static_cast<size_t>(n_ids), false);
  token_to_id_.reserve(static_cast<size_t>(n_ids));
  byte_level_ = config.byte_level;
  byte_fallback_ = config.byte_fallback;
  byte_fallback_ids_.fill(-1);
  byte_ids_.fill(-1);

  for (size_t id = 0; id < config.vocab.size(); ++id) {
    std::string& spelling = config.vocab[id];
    if (spelling.empty()) continue;
    const auto id32 = static_cast<int32_t>(id);
    // The first id of a duplicated spelling wins, as in llama.cpp.
    token_to_id_.emplace(spelling, id32);
    const int byte = config.byte_fallback ? parse_byte_fallback(spelling) : -1;
    if (byte >= 0) {
      byte_fallback_ids_[byte] = id32;
      id_to_bytes_[id] = std::string(1, static_cast<char>(byte));
    } else if (config.byte_level) {
      // A vocabulary entry outside the alphabet (rare: tokens a converter
      // copied verbatim) decodes as written.
      std::optional<std::string> bytes = byte_level_decode(spelling);
      id_to_bytes_[id] = bytes ? std::move(*bytes) : spelling;
    } else {
      id_to_bytes_[id] = spelling;
    }
    id_to_token_[id] = std::move(spelling);
  }
  for (const AddedToken& token : config.added_tokens) {
    const auto id = static_cast<size_t>(token.id);
    id_to_token_[id] = token.content;
    // Added tokens are raw text, never byte-level spelled.
    id_to_bytes_[id] = token.content;
    is_special_[id] = token.special;
    // Kept apart from the model's vocabulary: the BPE model never produces
    // an added token (Hugging Face's AddedVocabulary sits outside the
    // model), so a pre-token spelled like one, e.g. a punctuation-only
    // special token with parse_special off, is still merged from bytes.
    if (!token_to_id_.contains(token.content)) added_token_to_id_.emplace(token.content, token.id);
  }
  added_ = AddedTokenMatcher(std::move(config.added_tokens));

  if (config.byte_level) {
    for (int b = 0; b < 256; ++b) {
      std::string spelling;
      utf8_append(kByteToCodePoint[b], spelling);
      // Some vocabularies (StarCoder, MPT, Falcon) lack bytes that never
      // occur in their training text, such as 0xC0; those bytes encode as
      // <unk>, or not at all, as in Hugging Face.
      if (auto id = lookup(spelling)) byte_ids_[b] = *id;
    }
  }
  if (config.byte_fallback) {
    for (int b = 0; b < 256; ++b) {
      if (byte_fallback_ids_[b] < 0) {
        return Status::invalid_argument("byte_fallback is set but the vocabulary lacks " +
                                        byte_fallback_spelling(static_cast<unsigned char>(b)));
      }
    }
  }
  return Status::ok();
}

void BpeTokenizer::build_merges(const std::vector<std::pair<std::string, std::string>>& merges) {
  merges_.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [left, right] = merges[rank];
    auto left_id = lookup(left);
    auto right_id = lookup(right);
    auto merged_id = lookup(left + right);
    if (!left_id || !right_id || !merged_id) continue;
    // The first (highest-priority) rule for a pair wins.
    merges_.emplace(pair_key(*left_id, *right_id), MergeTarget{static_cast<int32_t>(rank), *merged_id});
  }
}

std::optional<int32_t> BpeTokenizer::lookup(std::string_view spelling) const {
  auto it = token_to_id_.find(spelling);
  if (it == token_to_id_.end()) return std::nullopt;
  return it->second;
}

std::optional<int32_t> BpeTokenizer::token_to_id(std::string_view token) const {
  if (auto id = lookup(token)) return id;
  auto it = added_token_to_id_.find(token);
  if (it == added_token_to_id_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> BpeTokenizer::id_to_token(int32_t id) const {
  if (id < 0 || id >= vocab_size() || id_to_token_[id].empty()) return std::nullopt;
  return id_to_token_[id];
}

std::vector<int32_t> BpeTokenizer::encode_text(std::string_view text, const EncodeOptions& options) const {
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 2);
  if (options.add_bos && bos_id_) out.push_back(*bos_id_);
  Scratch scratch;
  added_.split(text, options.parse_special, scratch.segments);
  // encode_stretch uses the other scratch buffers, never `segments`, so
  // iterating it here is safe.
  for (const TextSegment& segment : scratch.segments) {
    if (segment.token_id >= 0) {
      out.push_back(segment.token_id);
    } else {
      encode_stretch(segment.text, scratch, out);
    }
  }
  return out;
}

void BpeTokenizer::encode_stretch(std::string_view text, Scratch& scratch, std::vector<int32_t>& out) const {
  std::string owned;
  if (nfc_) {
    owned = nfc_normalize(text);
    text = owned;
  }
  if (add_prefix_space_ && !text.empty() && text.front() != ' ') {
    owned.insert(owned.begin(), ' ');
    if (!nfc_) owned.append(text);
    text = owned;
  }
  scratch.pieces.clear();
  splitter_.split(text, scratch.pieces);
  for (std::string_view piece : scratch.pieces) encode_word(piece, scratch, out);
}

void BpeTokenizer::initial_symbols(std::string_view word, Scratch& scratch) const {
  auto& symbols = scratch.symbols;
  symbols.clear();
  auto push = [&](int32_t id) {
    const auto index = static_cast<int32_t>(symbols.size());
    symbols.push_back({id, index - 1, index + 1, true});
  };
  if (byte_level_) {
    for (char c : word) {
      const int32_t id = byte_ids_[static_cast<unsigned char>(c)];
      if (id >= 0) {
        push(id);
      } else if (unk_id_) {
        push(*unk_id_);
      }
    }
  } else {
    for (size_t pos = 0; pos < word.size();) {
      const size_t n = utf8_sequence_length(word, pos);
      if (auto id = lookup(word.substr(pos, n))) {
        push(*id);
      } else if (byte_fallback_) {
        for (size_t i = 0; i < n; ++i) push(byte_fallback_ids_[static_cast<unsigned char>(word[pos + i])]);
      } else if (unk_id_) {
        // Consecutive unknown characters collapse into one <unk>, as
        // Hugging Face's fuse_unk and SentencePiece do.
        if (symbols.empty() || symbols.back().id != *unk_id_) push(*unk_id_);
      }
      // With neither fallback nor <unk> the character has no encoding and
      // is dropped, which is what Hugging Face's BPE does too.
      pos += n;
    }
  }
  if (!symbols.empty()) symbols.back().next = -1;
}

void BpeTokenizer::encode_word(std::string_view word, Scratch& scratch, std::vector<int32_t>& out) const {
  if (word.empty()) return;
  if (ignore_merges_) {
    std::string_view spelled = word;
    if (byte_level_) {
      scratch.spelled = byte_level_encode(word);
      spelled = scratch.spelled;
    }
    if (auto id = lookup(spelled)) {
      out.push_back(*id);
      return;
    }
  }
  initial_symbols(word, scratch);
  auto& symbols = scratch.symbols;
  if (symbols.empty()) return;

  using Candidate = Scratch::Candidate;
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> heap;
  auto consider = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0) return;
    auto it = merges_.find(pair_key(symbols[left].id, symbols[right].id));
    if (it == merges_.end()) return;
    heap.push({it->second.rank, left, right, symbols[left].id, symbols[right].id, it->second.merged_id});
  };
  for (int32_t i = 0; i + 1 < static_cast<int32_t>(symbols.size()); ++i) consider(i, i + 1);

  while (!heap.empty()) {
    const Candidate c = heap.top();
    heap.pop();
    auto& left = symbols[c.left];
    auto& right = symbols[c.right];
    if (!left.alive || !right.alive || left.next != c.right || left.id != c.left_id || right.id != c.right_id) {
      continue;
    }
    left.id = c.merged_id;
    right.alive = false;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = c.left;
    consider(left.prev, c.left);
    consider(c.left, left.next);
  }

  for (int32_t i = 0; i >= 0; i = symbols[i].next) out.push_back(symbols[i].id);
}

std::string BpeTokenizer::decode(const std::vector<int32_t>& ids) const {
  std::string out;
  for (int32_t id : ids) {
    if (id < 0 || id >= vocab_size() || is_special_[id]) continue;
    out += id_to_bytes_[id];
  }
  return out;
}

}  // namespace bahed::encoder
