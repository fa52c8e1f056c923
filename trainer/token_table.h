#pragma once
// TokenTable: the token ids of every behavior and item text, by id, for
// token-level rows (the pre-BAHE baseline). The same ids as the BAHE vector
// table, so one RowSpec lays out either way.
//
// Thread safety: immutable after building; concurrent reads are safe.
#include <cstdint>
#include <span>
#include <vector>

namespace bahed::trainer {

class TokenTable {
 public:
  // Appends a text's tokens; returns its id (0, 1, ...). Precondition
  // (checked): at least one token, every id >= 0.
  int64_t add(std::span<const int64_t> tokens);

  std::span<const int64_t> tokens(int64_t id) const;
  int64_t n_tokens(int64_t id) const { return offsets_[id + 1] - offsets_[id]; }
  int64_t size() const { return static_cast<int64_t>(offsets_.size()) - 1; }

 private:
  std::vector<int64_t> ids_;
  std::vector<int64_t> offsets_ = {0};  // text id -> [offsets_[id], offsets_[id + 1]) in ids_
};

}  // namespace bahed::trainer
