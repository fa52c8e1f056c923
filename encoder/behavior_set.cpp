#include "encoder/behavior_set.h"

namespace bahed::encoder {

uint32_t BehaviorSet::add_text(std::string_view feature, std::string_view raw_text) {
  std::string text = normalize_behavior_text(raw_text);
  const Hash128 hash = hash_behavior(feature, text);
  const auto [it, inserted] = index_.try_emplace(hash, static_cast<uint32_t>(behaviors_.size()));
  if (inserted) {
    behaviors_.push_back({hash, std::string(feature), std::move(text), true});
  } else if (!behaviors_[it->second].text_known) {
    // First met through a history entry; now the batch names its text.
    auto& b = behaviors_[it->second];
    b.feature = std::string(feature);
    b.text = std::move(text);
    b.text_known = true;
  }
  return it->second;
}

uint32_t BehaviorSet::add_hash(const Hash128& hash) {
  const auto [it, inserted] = index_.try_emplace(hash, static_cast<uint32_t>(behaviors_.size()));
  if (inserted) behaviors_.push_back({hash, {}, {}, false});
  return it->second;
}

}  // namespace bahed::encoder
