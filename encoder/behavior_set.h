#pragma once
// BehaviorSet: the distinct atomic behaviors one batch names, each once,
// with its text when the batch supplied it. Private to the encoder stage.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "encoder/store/behavior_key.h"

namespace bahed::encoder {

struct BatchBehavior {
  Hash128 hash;
  std::string feature;
  std::string text;  // normalized; empty while unknown (a history entry)
  bool text_known = false;
};

class BehaviorSet {
 public:
  // Normalizes `raw_text`, hashes (feature, text) and returns the index of
  // that behavior, adding it the first time.
  uint32_t add_text(std::string_view feature, std::string_view raw_text);
  // A behavior known only by its hash (from a stored history).
  uint32_t add_hash(const Hash128& hash);

  size_t size() const { return behaviors_.size(); }
  BatchBehavior& operator[](uint32_t i) { return behaviors_[i]; }
  const BatchBehavior& operator[](uint32_t i) const { return behaviors_[i]; }

 private:
  std::vector<BatchBehavior> behaviors_;
  std::unordered_map<Hash128, uint32_t, Hash128Hasher> index_;
};

}  // namespace bahed::encoder
