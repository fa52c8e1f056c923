#include "trainer/encoded_row_packer.h"

#include <algorithm>

#include <c10/util/Exception.h>

namespace bahed::trainer {
namespace {

// Kafka order within one partition; positions from different partitions are
// never ordered (a user's events stay in one partition).
bool before(const SourcePosition& a, const SourcePosition& b) {
  return a.partition == b.partition && a.offset < b.offset;
}

bool same(const SourcePosition& a, const SourcePosition& b) {
  return a.partition == b.partition && a.offset == b.offset;
}

}  // namespace

bool EncodedRowPacker::try_add(const EncodedTarget& target) {
  const std::vector<ContextBehavior>& context = target.context;
  for (size_t i = 0; i < context.size(); ++i) {
    if (i > 0 && !before(context[i - 1].source, context[i].source)) return false;
  }
  if (!context.empty() && !before(context.back().source, target.source)) return false;
  const auto n_stream = static_cast<int64_t>(sources_.size());
  // The context's head that is not newer than the stream's newest behavior
  // (which includes any other partition) must equal a suffix of the stream,
  // behavior for behavior; the rest is appended.
  size_t n_overlap = 0;
  while (n_overlap < context.size() && n_stream > 0 &&
         !before(sources_.back(), context[n_overlap].source)) {
    ++n_overlap;
  }
  const int64_t window_begin = n_stream - static_cast<int64_t>(n_overlap);
  if (window_begin < 0) return false;
  for (size_t i = 0; i < n_overlap; ++i) {
    const auto at = static_cast<size_t>(window_begin) + i;
    if (!same(sources_[at], context[i].source) || row_.behaviors[at] != context[i].vector ||
        row_.actions[at] != context[i].action) {
      return false;
    }
  }
  // A target comes after every behavior its row already holds.
  if (n_stream > 0 && !before(sources_.back(), target.source)) return false;
  for (size_t i = n_overlap; i < context.size(); ++i) {
    row_.behaviors.push_back(context[i].vector);
    row_.actions.push_back(context[i].action);
    sources_.push_back(context[i].source);
  }
  row_.targets.push_back({static_cast<int64_t>(target.item_vector), static_cast<float>(target.label), window_begin,
                          static_cast<int64_t>(row_.behaviors.size())});
  return true;
}

RowSpec EncodedRowPacker::take() {
  RowSpec out = std::move(row_);
  row_ = RowSpec();
  sources_.clear();
  return out;
}

RowSpec single_target_row(const EncodedTarget& target) {
  RowSpec row;
  for (const ContextBehavior& behavior : target.context) {
    row.behaviors.push_back(behavior.vector);
    row.actions.push_back(behavior.action);
  }
  row.targets.push_back({static_cast<int64_t>(target.item_vector), static_cast<float>(target.label), 0,
                         static_cast<int64_t>(row.behaviors.size())});
  return row;
}

std::vector<RowSpec> pack_encoded_targets(std::span<const EncodedTarget> targets, int64_t n_targets_per_row) {
  TORCH_CHECK(n_targets_per_row >= 1, "pack_encoded_targets: n_targets_per_row=", n_targets_per_row);
  std::vector<RowSpec> rows;
  EncodedRowPacker packer;
  for (const EncodedTarget& target : targets) {
    if (packer.n_targets() == n_targets_per_row) rows.push_back(packer.take());
    if (packer.try_add(target)) continue;
    if (packer.n_targets() > 0) rows.push_back(packer.take());
    // An empty packer accepts any target in Kafka order; one out of order
    // still gets its own row, with the context as given.
    if (!packer.try_add(target)) rows.push_back(single_target_row(target));
  }
  if (packer.n_targets() > 0) rows.push_back(packer.take());
  return rows;
}

}  // namespace bahed::trainer
