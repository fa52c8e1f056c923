#pragma once
// SlotGranularity: what one position of a row holds. The two baselines of
// the benchmark differ only here (design.md "Measuring it").
#include <optional>
#include <string_view>

namespace bahed::trainer {

enum class SlotGranularity {
  // BAHE: one slot per atomic behavior (its pooled shallow vector); only the
  // deep layers run over the row.
  kBehavior,
  // Token-level, the pre-BAHE way: one slot per token of every behavior and
  // item; the shallow layers run over the row too.
  kToken,
};

// "behavior" or "token" (YAML spelling).
std::string_view slot_granularity_name(SlotGranularity granularity);
std::optional<SlotGranularity> parse_slot_granularity(std::string_view name);

}  // namespace bahed::trainer
