#include "trainer/token_table.h"

#include <c10/util/Exception.h>

namespace bahed::trainer {

int64_t TokenTable::add(std::span<const int64_t> tokens) {
  TORCH_CHECK(!tokens.empty(), "TokenTable: a text needs at least one token");
  for (const int64_t id : tokens) TORCH_CHECK(id >= 0, "TokenTable: negative token id ", id);
  ids_.insert(ids_.end(), tokens.begin(), tokens.end());
  offsets_.push_back(static_cast<int64_t>(ids_.size()));
  return size() - 1;
}

std::span<const int64_t> TokenTable::tokens(int64_t id) const {
  TORCH_CHECK(id >= 0 && id < size(), "TokenTable: id ", id, " outside [0, ", size(), ")");
  return std::span<const int64_t>(ids_).subspan(static_cast<size_t>(offsets_[id]),
                                                static_cast<size_t>(n_tokens(id)));
}

}  // namespace bahed::trainer
