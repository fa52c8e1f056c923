#pragma once
// TitleMaker: plausible, distinct fake film titles for the synthetic
// catalog, drawn from a few patterns over fixed word lists.
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "daemon/ctl/synth_random.h"

namespace bahed::ctl {

// Plausible fake titles from a few patterns; distinct per item. The first
// tries pick any pattern, so short titles are common; later tries use only
// the four long patterns (over 900k titles between them), so even scale 100's
// 370k items rarely fall back to a numbered sequel (which no pattern makes).
class TitleMaker {
 public:
  // A title no earlier call returned.
  std::string make(SynthRng& rng);

 private:
  static constexpr uint64_t kNumPatterns = 10;
  static constexpr uint64_t kNumLongPatterns = 4;  // patterns 0..3

  static std::string draw(SynthRng& rng, uint64_t n_patterns);
  std::unordered_set<std::string> used_;
  std::unordered_map<std::string, int> sequels_;
};

}  // namespace bahed::ctl
