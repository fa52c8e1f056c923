#pragma once
// The synthetic generator's random draws, identical on every platform and
// standard library: SynthRng's distributions (ours, on top of mt19937_64,
// whose output the standard fixes) and Vose's alias tables for weighted
// draws.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include "common/splitmix64.h"

namespace bahed::ctl {

// GCC and Clang both have it; `__extension__` keeps -Wpedantic quiet.
__extension__ using Uint128 = unsigned __int128;

// mt19937_64's output is fixed by the standard; the distributions on top of
// it are ours, because libstdc++ and libc++ implement std::normal_distribution
// and friends differently.
class SynthRng {
 public:
  explicit SynthRng(uint64_t seed) : engine_(seed) {}
  // [0, 1)
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // (0, 1): safe to take the log of.
  double uniform_open() { return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53; }
  // [0, n), by multiply-shift; the bias (< n / 2^64) is irrelevant here.
  uint64_t below(uint64_t n) { return static_cast<uint64_t>((static_cast<Uint128>(engine_()) * n) >> 64); }
  double exponential(double mean) { return -std::log(uniform_open()) * mean; }
  // Box-Muller; the second value of each pair is kept for the next call.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(uniform_open()));
    const double theta = 2.0 * std::numbers::pi * uniform();
    spare_ = r * std::sin(theta);
    has_spare_ = true;
    return r * std::cos(theta);
  }
  template <typename T>
  void shuffle(std::span<T> v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0;
};

// Vose's alias method: O(1) weighted draws from a fixed distribution. Each
// slot keeps its threshold and alias together, so a draw costs one cache miss
// on catalogs far larger than the cache (370k items at scale 100).
class AliasTable {
 public:
  explicit AliasTable(const std::vector<double>& weights) : slots_(weights.size()) {
    const size_t n = weights.size();
    double total = 0;
    for (double w : weights) total += w;
    std::vector<double> p(n);
    std::vector<uint32_t> small, large;
    for (size_t i = 0; i < n; ++i) {
      p[i] = weights[i] * static_cast<double>(n) / total;
      (p[i] < 1.0 ? small : large).push_back(static_cast<uint32_t>(i));
    }
    while (!small.empty() && !large.empty()) {
      const uint32_t s = small.back(), l = large.back();
      small.pop_back();
      slots_[s] = {p[s], l};
      p[l] = (p[l] + p[s]) - 1.0;
      if (p[l] < 1.0) {
        large.pop_back();
        small.push_back(l);
      }
    }
    // What is left is 1 up to rounding.
    for (uint32_t i : large) slots_[i] = {1.0, i};
    for (uint32_t i : small) slots_[i] = {1.0, i};
  }
  uint32_t sample(SynthRng& rng) const {
    const Slot& slot = slots_[rng.below(slots_.size())];
    return rng.uniform() < slot.prob ? static_cast<uint32_t>(&slot - slots_.data()) : slot.alias;
  }

 private:
  struct Slot {
    double prob = 1.0;  // keep the slot's own item below this uniform draw
    uint32_t alias = 0;  // the item otherwise
  };
  std::vector<Slot> slots_;
};

}  // namespace bahed::ctl
