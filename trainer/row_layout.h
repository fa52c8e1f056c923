#pragma once
// RowLayout: a RowSpec laid out into slots, one builder for all four
// trainers {token-level, BAHE} x {sliding-window, DTI}.
//
// Slots, in stream order: the behaviors, and at each target's place its item
// slot(s) then one SUM slot (where its logit is read). BAHE gives every
// behavior and item one slot (its vector); token-level gives one slot per
// token. With fused_target_slot (BAHE only), a target takes one slot: its
// item vector plus the SUM vector, read out in place; item_slot ==
// sum_slot marks it. Each slot carries the metadata the attention mask is built from
// (attention_bias.h), so the mask is tensor ops over [rows, slots], never a
// loop over query x key:
//   a behavior slot of behavior b sees behaviors [b - n_context + 1, b];
//   an item or SUM slot of target t sees its context [window_begin,
//   window_end) and the item/SUM slots of t itself, never another target's;
//   every slot sees only keys at a position <= its own (causal).
//
// Virtual positions make every target's view equal its view in its own
// sliding-window row: behavior slots count along the stream (tokens or
// behaviors), and target t's slots continue from the position right after
// its window (its context's end), so pos(query) - pos(key) is the same
// distance as in the sliding-window row for every pair a target sees, at
// every layer. Rotary positions and ALiBi distances both read them.
//
// Thread safety: the builder is immutable; build() may run concurrently.
#include <cstdint>
#include <vector>

#include "common/status.h"
#include "trainer/row_spec.h"
#include "trainer/slot_granularity.h"
#include "trainer/token_table.h"

namespace bahed::trainer {

enum class SlotKind : int64_t {
  kPad = 0,       // padding in a batch; sees and is seen by nothing real
  kBehavior = 1,  // a behavior (BAHE) or one of its tokens
  kItem = 2,      // a target's item (BAHE) or one of its tokens
  kSum = 3,       // a target's SUM slot, where its logit is read
};

struct RowLayoutOptions {
  // One slot per behavior (BAHE) or per token. Default: kBehavior.
  SlotGranularity granularity = SlotGranularity::kBehavior;
  // n: a target's context is at most its last n behaviors, and a behavior
  // slot sees itself and the n - 1 behaviors before it, as it would in the
  // sliding-window row of the target right after it. Longer rows cost more
  // per target; must equal the encoder's context length. Default: 50.
  int64_t n_context = 50;
  // BAHE only: one slot per target (item + SUM vector) instead of an item
  // slot and a SUM slot. DTI rows hold context + 2 slots per target instead
  // of 3 (the history entry is the other), so cost per target falls by a
  // third; the model's readout sees the same window either way. Ignored for
  // token-level rows, whose items span several tokens. Default: false.
  bool fused_target_slot = false;

  Status validate() const;
};

// Per-slot vectors all have n_slots() entries; per-target ones one per target.
struct RowLayout {
  SlotGranularity granularity = SlotGranularity::kBehavior;
  std::vector<int64_t> source;        // vector row (BAHE) or token id; -1 for SUM
  std::vector<int64_t> kind;          // SlotKind
  std::vector<int64_t> target;        // target index for item/SUM slots, -1 for behaviors
  std::vector<int64_t> behavior;      // behavior index; for item/SUM slots their target's window_end
  std::vector<int64_t> position;      // virtual position (see above)
  std::vector<int64_t> window_begin;  // behaviors [window_begin, window_end) this slot sees
  std::vector<int64_t> window_end;
  std::vector<int64_t> action;        // BehaviorAction of a behavior's slots (all its tokens); 0 otherwise
  std::vector<int64_t> item_slot;     // per target: first item slot; items fill [item_slot, sum_slot),
                                      // or item_slot == sum_slot when fused
  std::vector<int64_t> sum_slot;      // per target
  std::vector<float> labels;          // per target

  int64_t n_slots() const { return static_cast<int64_t>(kind.size()); }
  int64_t n_targets() const { return static_cast<int64_t>(sum_slot.size()); }
};

class RowLayoutBuilder {
 public:
  // `tokens` is required for kToken (ids index it) and ignored for
  // kBehavior; it must outlive the builder. Precondition (checked):
  // options.validate() is OK.
  RowLayoutBuilder(const RowLayoutOptions& options, const TokenTable* tokens);

  // Precondition (checked): spec.validate(n_context) is OK.
  RowLayout build(const RowSpec& spec) const;

  const RowLayoutOptions& options() const { return options_; }

 private:
  RowLayoutOptions options_;
  const TokenTable* tokens_;
};

}  // namespace bahed::trainer
