#include "trainer/slot_granularity.h"

namespace bahed::trainer {

std::string_view slot_granularity_name(SlotGranularity granularity) {
  return granularity == SlotGranularity::kBehavior ? "behavior" : "token";
}

std::optional<SlotGranularity> parse_slot_granularity(std::string_view name) {
  if (name == "behavior") return SlotGranularity::kBehavior;
  if (name == "token") return SlotGranularity::kToken;
  return std::nullopt;
}

}  // namespace bahed::trainer
