#pragma once
// EncodedRowPacker: turns one user's consecutive EncodedTargets (from the
// encoder stage, common/encoded_batch.h) into DTI rows by aligning their
// contexts on SourcePosition.
//
// Each target's context is a suffix of the user's history at its time, so
// consecutive contexts overlap: the next context starts with a run of the
// stream built so far (its oldest behaviors) and continues with behaviors at
// later Kafka positions. The packer merges them into one behavior stream and
// gives each target the window of exactly its own context. A target whose
// context does not line up (another partition, a behavior the stream lacks,
// the same position with another vector, a position out of order) does not
// fit and starts a new row, so no target ever sees more or less than its
// context.
//
// Ids in the rows are EncodedBatch vector rows (ContextBehavior::vector,
// EncodedTarget::item_vector), so all targets of one packer must come from
// the same EncodedBatch.
// Thread safety: none; one packer per user and thread.
#include <cstdint>
#include <span>
#include <vector>

#include "common/encoded_batch.h"
#include "trainer/row_spec.h"

namespace bahed::trainer {

class EncodedRowPacker {
 public:
  // Adds `target` to the current row when its context aligns with the
  // stream so far; returns false (and changes nothing) when it does not. An
  // empty packer accepts any target whose context is in Kafka order.
  bool try_add(const EncodedTarget& target);

  int64_t n_targets() const { return static_cast<int64_t>(row_.targets.size()); }
  // The row built so far; leaves the packer empty.
  RowSpec take();

 private:
  RowSpec row_;
  std::vector<SourcePosition> sources_;  // of row_.behaviors, in order
};

// A row holding only `target`, with its context as given (ids as in the
// target): for a target no packer accepts, because its context is out of
// Kafka order.
RowSpec single_target_row(const EncodedTarget& target);

// Packs a user's targets, in Kafka order, into rows of at most
// n_targets_per_row targets (1 gives sliding-window rows), starting a new row
// where a context does not align.
std::vector<RowSpec> pack_encoded_targets(std::span<const EncodedTarget> targets, int64_t n_targets_per_row);

}  // namespace bahed::trainer
