#pragma once
// BehaviorEncoderOptions: how events become atomic behaviors and targets.
// YAML keys under `encoder.` use the same spelling.
#include <cstdint>
#include <string>

#include "common/status.h"

namespace bahed::encoder {

struct BehaviorEncoderOptions {
  // n: behaviors handed to the trainer before each target (the user's last
  // n, strictly before it). Must not exceed store.history_length, which
  // bounds what the store keeps. Default: 50.
  uint32_t context_length = 50;
  // Feature under which an impression's item text is keyed: its target
  // vector, and, with the action clicked or skipped
  // (common/behavior_action.h), the behavior it becomes in the user's
  // history. Items and behaviors share the store and the encode path.
  // Default: "item".
  std::string item_feature = "item";

  Status validate() const;
};

}  // namespace bahed::encoder
