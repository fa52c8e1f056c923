#pragma once
// What each rank trains in the data-parallel tests, shared by the worker
// processes and the single-process reference: step s's global batch is 8
// toy rows; rank r of w trains rows i with i % w == r. In the "idle"
// scenario the last rank trains nothing on even steps (its rows go to
// rank 0), so it must take part with zero weight.
#include <cstdint>
#include <string>
#include <vector>

#include "tests/trainer/toy_ctr_data.h"

namespace bahed::trainer::test {

constexpr int64_t kLockstepSteps = 12;
constexpr size_t kRowsPerStep = 8;

inline const ToyData& lockstep_data() {
  static const ToyData data = toy_data(24, 4, 1);
  return data;
}

inline std::vector<RowSpec> global_rows(int64_t step) {
  return slice(lockstep_data().rows, static_cast<size_t>(step) * kRowsPerStep, kRowsPerStep);
}

inline std::vector<RowSpec> rank_rows(int64_t step, int64_t rank, int64_t world, const std::string& scenario) {
  const std::vector<RowSpec> all = global_rows(step);
  std::vector<RowSpec> out;
  for (size_t i = 0; i < all.size(); ++i) {
    auto owner = static_cast<int64_t>(i) % world;
    if (scenario == "idle" && step % 2 == 0 && owner == world - 1) owner = 0;
    if (owner == rank) out.push_back(all[i]);
  }
  return out;
}

}  // namespace bahed::trainer::test
