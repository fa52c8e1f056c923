#pragma once
// CtrModelOptions: how the CTR model reads a row. YAML keys under
// `trainer.` use the same spelling (`trainer.position_scheme`).
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/status.h"
#include "trainer/slot_granularity.h"

namespace bahed::trainer {

// How the trained layers see distances inside a row. Both keep every
// target's view equal to its sliding-window view (row_layout.h).
enum class PositionScheme {
  // "alibi": no rotary (positions all zero); each head adds
  // -slope * (pos_q - pos_k) to its scores (DTI's choice against
  // positional-bias overfitting).
  kAlibi,
  // "rotary": the base model's rotary embedding at per-target virtual
  // positions, as pretrained.
  kRotary,
};

std::string_view position_scheme_name(PositionScheme scheme);
std::optional<PositionScheme> parse_position_scheme(std::string_view name);

struct CtrModelOptions {
  // One slot per behavior (BAHE) or per token; must match the rows'.
  // Default: kBehavior.
  SlotGranularity granularity = SlotGranularity::kBehavior;
  // Distance encoding of the trained layers. Frozen shallow layers
  // (token-level only) always use rotary, as pretrained. Default: kAlibi.
  PositionScheme position_scheme = PositionScheme::kAlibi;
  // DTI's forgetting: attention logit penalty per behavior of distance
  // between two behavior slots (attention_bias.h). Larger values shrink
  // hidden-state leakage in packed rows but shorten what behaviors
  // aggregate; 0 is off. Default: 0.
  double forgetting = 0.0;
  // Width of the MLP head's hidden layer. Default: 256.
  int64_t n_head_hidden = 256;

  Status validate() const;
};

}  // namespace bahed::trainer
