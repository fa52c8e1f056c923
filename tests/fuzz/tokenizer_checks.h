#pragma once
// Checks shared by the tokenizer fuzz targets. A broken contract of
// encoder/tokenizer/tokenizer.h ends in __builtin_trap(), which libFuzzer
// reports as a crash with the input that caused it.
#include <cstdint>
#include <string_view>
#include <vector>

#include "encoder/tokenizer/tokenizer.h"

namespace bahed::fuzz {

// Encodes `text`: every id lies in [0, vocab_size()), BOS comes first when
// asked for, and decoding the ids stays in bounds.
inline std::vector<int32_t> encode_checked(const encoder::Tokenizer& tokenizer, std::string_view text,
                                           const encoder::EncodeOptions& options) {
  const int32_t n = tokenizer.vocab_size();
  std::vector<int32_t> ids = tokenizer.encode(text, options);
  for (int32_t id : ids) {
    if (id < 0 || id >= n) __builtin_trap();
  }
  if (options.add_bos && tokenizer.bos_id() && (ids.empty() || ids.front() != *tokenizer.bos_id())) __builtin_trap();
  static_cast<void>(tokenizer.decode(ids));
  return ids;
}

// The vocabulary is non-empty, BOS/EOS lie inside it, and the id <-> token
// look-ups agree on its edges.
inline void check_vocabulary(const encoder::Tokenizer& tokenizer) {
  const int32_t n = tokenizer.vocab_size();
  if (n <= 0) __builtin_trap();
  for (auto id : {tokenizer.bos_id(), tokenizer.eos_id()}) {
    if (id && (*id < 0 || *id >= n)) __builtin_trap();
  }
  if (tokenizer.id_to_token(-1) || tokenizer.id_to_token(n)) __builtin_trap();
  for (int32_t id : {0, n / 2, n - 1}) {
    const auto token = tokenizer.id_to_token(id);
    if (!token) continue;
    const auto back = tokenizer.token_to_id(*token);  // a duplicated spelling may name another id
    if (back && (*back < 0 || *back >= n)) __builtin_trap();
  }
}

}  // namespace bahed::fuzz
