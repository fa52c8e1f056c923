#pragma once
// PendingTargets: the streaming side of the trainer. Labelled targets from
// EncodedBatches wait per user until a DTI row can be emitted:
//   - when k (n_targets_per_row) are pending,
//   - when the next target's context does not align with the row so far
//     (encoded_row_packer.h), which emits the row and starts a new one,
//   - when the oldest pending target has waited max_wait_ms (steady clock),
//   - when more than max_pending_targets wait in all (the rows begun
//     earliest leave first): under a backlog every user has a row filling,
//     and without a cap a checkpoint barrier, which trains them all, would
//     grow with the number of users,
//   - on flush() (checkpoint barrier, shutdown).
// A user's targets may arrive spread over several EncodedBatches: their
// vectors are copied into the user's own table (identical vectors stored
// once), so rows never depend on a batch outliving add().
//
// It also tracks, per partition, the offset of the first event not yet
// trained into the model: targets pending, ready or in a step hold it back
// (until mark_trained()); every other consumed event counts as trained
// (behaviors only extend the history, which the encoder has stored).
//
// Thread safety: none; owned by the trainer's thread.
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/encoded_batch.h"
#include "common/status.h"
#include "trainer/encoded_row_packer.h"
#include "trainer/row_spec.h"

namespace bahed::trainer {

// A row ready to train, self-contained: its ids index its own vectors.
struct ReadyRow {
  RowSpec spec;
  std::vector<float> vectors;           // [n_vectors * dimension], row-major
  std::vector<SourcePosition> sources;  // of spec.targets, in order
};

class PendingTargets {
 public:
  // `clock` must outlive this. n_targets_per_row >= 1, max_wait_ms >= 0,
  // max_pending_targets >= 1 (checked).
  PendingTargets(int64_t n_targets_per_row, int64_t max_wait_ms, int64_t max_pending_targets, const Clock& clock);

  // Queues every target of `batch` behind its user's pending ones and
  // records batch.consumed_through. InvalidArgument (and nothing changes)
  // when the vector dimension differs from the first batch's or an id is
  // out of range.
  [[nodiscard]] Status add(const EncodedBatch& batch);
  // Emits the rows of users whose oldest target has waited max_wait_ms.
  void emit_expired();
  // Emits every pending target's row.
  void flush();

  // Removes and returns ready rows, oldest first, while their targets total
  // at most max_targets (at least one row when any is ready).
  std::vector<ReadyRow> take_ready(int64_t max_targets);
  // Call once the rows' targets are trained into the model.
  void mark_trained(const std::vector<ReadyRow>& rows);

  int64_t n_ready_rows() const { return static_cast<int64_t>(ready_.size()); }
  // Targets waiting for their row to fill (not in ready rows).
  int64_t n_pending_targets() const { return n_pending_; }
  // Targets in ready rows, not yet taken.
  int64_t n_ready_targets() const { return n_ready_targets_; }
  uint32_t dimension() const { return dimension_; }
  // Per partition seen: the first offset not yet trained (see above).
  std::vector<PartitionWatermark> trained_through() const;

 private:
  struct UserRow {
    EncodedRowPacker packer;
    std::vector<float> vectors;  // the user's own table
    std::unordered_multimap<uint64_t, uint32_t> by_hash;
    std::vector<SourcePosition> sources;
    uint64_t generation = 0;
  };
  struct Deadline {
    int64_t due_ms;
    std::string user;
    uint64_t generation;
  };

  void add_target(const EncodedBatch& batch, const EncodedTarget& target);
  // `target` with its ids moved into `row`'s table.
  EncodedTarget intern(const EncodedBatch& batch, const EncodedTarget& target, UserRow& row);
  uint32_t intern_vector(const float* vector, UserRow& row);
  void emit(const std::string& user);
  void emit_oldest_over_cap();
  void push_ready(ReadyRow row);

  const int64_t n_targets_per_row_;
  const int64_t max_wait_ms_;
  const int64_t max_pending_targets_;
  const Clock& clock_;
  uint32_t dimension_ = 0;
  uint64_t next_generation_ = 1;
  int64_t n_pending_ = 0;
  int64_t n_ready_targets_ = 0;
  std::map<std::string, UserRow> users_;  // ordered: flush() is deterministic
  std::deque<Deadline> deadlines_;  // due_ms non-decreasing
  std::deque<ReadyRow> ready_;
  std::map<int32_t, int64_t> consumed_;                 // partition -> next offset
  std::map<int32_t, std::multiset<int64_t>> untrained_;  // partition -> target offsets
};

}  // namespace bahed::trainer
