#include "trainer/row_batch.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace bahed::trainer {
namespace {

torch::Tensor filled(int64_t n_rows, int64_t n_slots, int64_t value) {
  return torch::full({n_rows, n_slots}, value, torch::kInt64);
}

void copy_row(torch::Tensor& dst, int64_t row, const std::vector<int64_t>& src) {
  std::memcpy(dst.data_ptr<int64_t>() + row * dst.size(1), src.data(), src.size() * sizeof(int64_t));
}

// One past target t's last item slot; a fused slot is its own item.
int64_t item_end(const RowLayout& row, int64_t t) {
  return row.item_slot[t] == row.sum_slot[t] ? row.sum_slot[t] + 1 : row.sum_slot[t];
}

}  // namespace

int64_t RowBatch::n_real_slots() const { return kind.ne(static_cast<int64_t>(SlotKind::kPad)).sum().item<int64_t>(); }

RowBatch RowBatch::to(const torch::Device& device) const {
  RowBatch out = *this;
  for (torch::Tensor* t : {&out.source, &out.kind, &out.target, &out.behavior, &out.position, &out.window_begin,
                           &out.window_end, &out.action, &out.sum_index, &out.item_index, &out.item_owner, &out.labels}) {
    *t = t->to(device);
  }
  return out;
}

RowBatch collate_rows(std::span<const RowLayout* const> rows) {
  TORCH_CHECK(!rows.empty(), "collate_rows: no rows");
  const auto n_rows = static_cast<int64_t>(rows.size());
  int64_t n_slots = 0, n_targets = 0, n_items = 0;
  for (const RowLayout* row : rows) {
    TORCH_CHECK(row->granularity == rows[0]->granularity, "collate_rows: rows of different granularity");
    n_slots = std::max(n_slots, row->n_slots());
    n_targets += row->n_targets();
    for (int64_t t = 0; t < row->n_targets(); ++t) n_items += item_end(*row, t) - row->item_slot[t];
  }
  RowBatch batch;
  batch.granularity = rows[0]->granularity;
  batch.source = filled(n_rows, n_slots, -1);
  batch.kind = filled(n_rows, n_slots, static_cast<int64_t>(SlotKind::kPad));
  batch.target = filled(n_rows, n_slots, -1);
  batch.behavior = filled(n_rows, n_slots, -1);
  batch.position = filled(n_rows, n_slots, 0);
  batch.window_begin = filled(n_rows, n_slots, 0);
  batch.window_end = filled(n_rows, n_slots, 0);
  batch.action = filled(n_rows, n_slots, 0);
  batch.sum_index = torch::empty({n_targets}, torch::kInt64);
  batch.item_index = torch::empty({n_items}, torch::kInt64);
  batch.item_owner = torch::empty({n_items}, torch::kInt64);
  batch.labels = torch::empty({n_targets}, torch::kFloat32);
  int64_t* sum_index = batch.sum_index.data_ptr<int64_t>();
  int64_t* item_index = batch.item_index.data_ptr<int64_t>();
  int64_t* item_owner = batch.item_owner.data_ptr<int64_t>();
  float* labels = batch.labels.data_ptr<float>();
  int64_t target = 0, item = 0;
  for (int64_t r = 0; r < n_rows; ++r) {
    const RowLayout& row = *rows[r];
    copy_row(batch.source, r, row.source);
    copy_row(batch.kind, r, row.kind);
    copy_row(batch.target, r, row.target);
    copy_row(batch.behavior, r, row.behavior);
    copy_row(batch.position, r, row.position);
    copy_row(batch.window_begin, r, row.window_begin);
    copy_row(batch.window_end, r, row.window_end);
    copy_row(batch.action, r, row.action);
    const int64_t offset = r * n_slots;
    for (int64_t t = 0; t < row.n_targets(); ++t, ++target) {
      sum_index[target] = offset + row.sum_slot[t];
      labels[target] = row.labels[t];
      for (int64_t s = row.item_slot[t]; s < item_end(row, t); ++s, ++item) {
        item_index[item] = offset + s;
        item_owner[item] = target;
      }
    }
  }
  return batch;
}

}  // namespace bahed::trainer
