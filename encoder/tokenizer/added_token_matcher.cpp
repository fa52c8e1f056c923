#include "encoder/tokenizer/added_token_matcher.h"

#include <algorithm>
#include <cctype>

namespace bahed::encoder {
namespace {

bool is_word_byte(char c) {
  const auto b = static_cast<unsigned char>(c);
  return std::isalnum(b) != 0 || b == '_';
}
bool is_space_byte(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

}  // namespace

AddedTokenMatcher::AddedTokenMatcher(std::vector<AddedToken> tokens) : tokens_(std::move(tokens)) {
  root_.fill(-1);
  nodes_.emplace_back();
  for (size_t t = 0; t < tokens_.size(); ++t) {
    const std::string& content = tokens_[t].content;
    if (content.empty()) continue;
    int32_t node = 0;
    for (size_t i = 0; i < content.size(); ++i) {
      const auto byte = static_cast<unsigned char>(content[i]);
      int32_t next = child(node, byte);
      if (next < 0) {
        next = static_cast<int32_t>(nodes_.size());
        nodes_.emplace_back();
        if (node == 0) {
          root_[byte] = next;
        } else {
          auto& children = nodes_[node].children;
          children.insert(std::lower_bound(children.begin(), children.end(), std::make_pair(byte, int32_t{-1})),
                          {byte, next});
        }
      }
      node = next;
    }
    // Two entries with the same text: the first one wins, as the first id
    // listed is the one the model was trained with.
    if (nodes_[node].token_index < 0) nodes_[node].token_index = static_cast<int32_t>(t);
  }
}

int32_t AddedTokenMatcher::child(int32_t node, unsigned char byte) const {
  if (node == 0) return root_[byte];
  const auto& children = nodes_[node].children;
  auto it = std::lower_bound(children.begin(), children.end(), std::make_pair(byte, int32_t{-1}));
  return it != children.end() && it->first == byte ? it->second : -1;
}

int32_t AddedTokenMatcher::longest_match(std::string_view text, size_t pos, bool parse_special) const {
  int32_t best = -1;
  int32_t node = 0;
  for (size_t i = pos; i < text.size(); ++i) {
    node = child(node, static_cast<unsigned char>(text[i]));
    if (node < 0) break;
    const int32_t t = nodes_[node].token_index;
    if (t < 0) continue;
    const AddedToken& token = tokens_[t];
    if (token.special && !parse_special) continue;
    if (token.single_word) {
      const size_t end = i + 1;
      if ((pos > 0 && is_word_byte(text[pos - 1])) || (end < text.size() && is_word_byte(text[end]))) continue;
    }
    best = t;
  }
  return best;
}

size_t AddedTokenMatcher::match_length(std::string_view text, size_t pos) const {
  if (tokens_.empty()) return 0;
  const int32_t t = longest_match(text, pos, /*parse_special=*/true);
  return t < 0 ? 0 : tokens_[t].content.size();
}

void AddedTokenMatcher::split(std::string_view text, bool parse_special, std::vector<TextSegment>& out) const {
  if (tokens_.empty()) {
    if (!text.empty()) out.push_back({text, -1});
    return;
  }
  size_t segment_begin = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const int32_t t = longest_match(text, pos, parse_special);
    if (t < 0) {
      ++pos;
      continue;
    }
    const AddedToken& token = tokens_[t];
    size_t left_end = pos;
    if (token.lstrip) {
      while (left_end > segment_begin && is_space_byte(text[left_end - 1])) --left_end;
    }
    if (left_end > segment_begin) out.push_back({text.substr(segment_begin, left_end - segment_begin), -1});
    out.push_back({text.substr(pos, token.content.size()), token.id});
    pos += token.content.size();
    if (token.rstrip) {
      while (pos < text.size() && is_space_byte(text[pos])) ++pos;
    }
    segment_begin = pos;
  }
  if (segment_begin < text.size()) out.push_back({text.substr(segment_begin), -1});
}

}  // namespace bahed::encoder
