#pragma once
// SplitMix64's output function (Steele, Lea, Flood 2014): consecutive inputs
// map to unrelated 64-bit words. Fixed forever: the target audit's checksums
// in published manifests and the synthetic log's seeds depend on it.
#include <cstdint>

namespace bahed {

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace bahed
