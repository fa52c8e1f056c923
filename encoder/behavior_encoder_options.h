#pragma once
// BehaviorEncoderOptions: how events become atomic behaviors and targets.
// YAML keys under `encoder.` use the same spelling.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace bahed::encoder {

struct BehaviorEncoderOptions {
  // n: behaviors handed to the trainer before each target (the user's last
  // n, strictly before it). Must not exceed store.history_length, which
  // bounds what the store keeps. Default: 50.
  uint32_t context_length = 50;
  // Feature under which an impression's item text is keyed (its target
  // vector). Items and behaviors share the store and the encode path.
  // Default: "item".
  std::string item_feature = "item";
  // Feature of the history behavior an impression becomes once trained.
  // Default: "impression".
  std::string impression_feature = "impression";
  // History text of a clicked impression; "{item}" is replaced by the item
  // text. Default: "clicked: {item}".
  std::string clicked_template = "clicked: {item}";
  // History text of an impression that was not clicked. Default: "skipped: {item}".
  std::string skipped_template = "skipped: {item}";

  Status validate() const;
};

// `templ` with its first "{item}" replaced by `item_text`.
std::string render_history_text(std::string_view templ, std::string_view item_text);

}  // namespace bahed::encoder
