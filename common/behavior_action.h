#pragma once
// BehaviorAction: what the user did with a behavior in their history. An
// impression enters the history as its item's own text (the same vector the
// item has as a target, encoded once) plus the action, clicked or skipped;
// other behaviors (a search, a view) carry kNone.
//
// Why not a template text such as "clicked: {item}": mean pooling over a
// title's tokens dilutes one label token to a few percent of the vector
// (measured on the demo model: the clicked/skipped difference was 0.13 of the
// spread between titles), and the deep layers never learned to read it. The
// trainer adds a learned action embedding instead (trainer/ctr_model.h).
#include <cstdint>
#include <optional>
#include <string_view>

namespace bahed {

enum class BehaviorAction : uint8_t {
  kNone = 0,
  kClicked = 1,
  kSkipped = 2,
};

// Number of values, for embedding tables and range checks.
constexpr int kBehaviorActionCount = 3;

inline BehaviorAction action_of_label(int label) {
  return label == 1 ? BehaviorAction::kClicked : BehaviorAction::kSkipped;
}

inline std::string_view behavior_action_name(BehaviorAction action) {
  switch (action) {
    case BehaviorAction::kClicked: return "clicked";
    case BehaviorAction::kSkipped: return "skipped";
    case BehaviorAction::kNone: break;
  }
  return "none";
}

// The action stored as `byte`, when it is one.
inline std::optional<BehaviorAction> behavior_action_from_byte(uint8_t byte) {
  if (byte >= kBehaviorActionCount) return std::nullopt;
  return static_cast<BehaviorAction>(byte);
}

}  // namespace bahed
