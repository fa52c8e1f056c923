#include "trainer/row_layout.h"

#include <algorithm>
#include <string>

#include <c10/util/Exception.h>

namespace bahed::trainer {

Status RowLayoutOptions::validate() const {
  if (n_context < 1) {
    return Status::invalid_argument("trainer.n_context must be >= 1, got " + std::to_string(n_context));
  }
  return Status::ok();
}

RowLayoutBuilder::RowLayoutBuilder(const RowLayoutOptions& options, const TokenTable* tokens)
    : options_(options), tokens_(tokens) {
  const Status status = options.validate();
  TORCH_CHECK(status.is_ok(), "RowLayoutBuilder: ", status.to_string());
  TORCH_CHECK(options.granularity != SlotGranularity::kToken || tokens != nullptr,
              "RowLayoutBuilder: token-level rows need a TokenTable");
}

namespace {

// Appends slots while tracking the per-slot vectors together.
class SlotWriter {
 public:
  explicit SlotWriter(RowLayout& out) : out_(out) {}
  void add(int64_t source, SlotKind kind, int64_t target, int64_t behavior, int64_t position, int64_t window_begin,
           int64_t window_end, BehaviorAction action = BehaviorAction::kNone) {
    out_.action.push_back(static_cast<int64_t>(action));
    out_.source.push_back(source);
    out_.kind.push_back(static_cast<int64_t>(kind));
    out_.target.push_back(target);
    out_.behavior.push_back(behavior);
    out_.position.push_back(position);
    out_.window_begin.push_back(window_begin);
    out_.window_end.push_back(window_end);
  }
  int64_t n_slots() const { return out_.n_slots(); }

 private:
  RowLayout& out_;
};

}  // namespace

RowLayout RowLayoutBuilder::build(const RowSpec& spec) const {
  const Status status = spec.validate(options_.n_context);
  TORCH_CHECK(status.is_ok(), "RowLayoutBuilder: ", status.to_string());
  const bool by_token = options_.granularity == SlotGranularity::kToken;
  const auto n_behaviors = static_cast<int64_t>(spec.behaviors.size());
  // Stream position where each behavior starts (tokens or behaviors).
  std::vector<int64_t> start(static_cast<size_t>(n_behaviors) + 1, 0);
  for (int64_t b = 0; b < n_behaviors; ++b) {
    start[b + 1] = start[b] + (by_token ? tokens_->n_tokens(spec.behaviors[b]) : 1);
  }

  RowLayout out;
  out.granularity = options_.granularity;
  SlotWriter slots(out);
  size_t next_target = 0;
  auto emit_targets_at = [&](int64_t b) {
    for (; next_target < spec.targets.size() && spec.targets[next_target].window_end == b; ++next_target) {
      const RowTarget& t = spec.targets[next_target];
      const auto id = static_cast<int64_t>(next_target);
      const int64_t base = start[b];
      out.item_slot.push_back(slots.n_slots());
      if (!by_token && options_.fused_target_slot) {
        out.sum_slot.push_back(slots.n_slots());
        slots.add(t.item, SlotKind::kSum, id, b, base, t.window_begin, b);
        out.labels.push_back(t.label);
        continue;
      }
      if (by_token) {
        const auto item_tokens = tokens_->tokens(t.item);
        for (size_t i = 0; i < item_tokens.size(); ++i) {
          slots.add(item_tokens[i], SlotKind::kItem, id, b, base + static_cast<int64_t>(i), t.window_begin, b);
        }
      } else {
        slots.add(t.item, SlotKind::kItem, id, b, base, t.window_begin, b);
      }
      const int64_t n_item = slots.n_slots() - out.item_slot.back();
      out.sum_slot.push_back(slots.n_slots());
      slots.add(-1, SlotKind::kSum, id, b, base + n_item, t.window_begin, b);
      out.labels.push_back(t.label);
    }
  };
  for (int64_t b = 0; b < n_behaviors; ++b) {
    emit_targets_at(b);
    const int64_t window_begin = std::max<int64_t>(0, b - options_.n_context + 1);
    if (by_token) {
      const auto tokens = tokens_->tokens(spec.behaviors[b]);
      for (size_t i = 0; i < tokens.size(); ++i) {
        slots.add(tokens[i], SlotKind::kBehavior, -1, b, start[b] + static_cast<int64_t>(i), window_begin, b + 1,
                  spec.action(static_cast<size_t>(b)));
      }
    } else {
      slots.add(spec.behaviors[b], SlotKind::kBehavior, -1, b, start[b], window_begin, b + 1,
                spec.action(static_cast<size_t>(b)));
    }
  }
  emit_targets_at(n_behaviors);
  return out;
}

}  // namespace bahed::trainer
