#pragma once
// TextEncoder: atomic-behavior texts in, one vector each out. The behavior
// encoder stage calls it only for behaviors the store does not hold; the
// LLM's shallow layers implement it (ShallowTextEncoder), tests substitute a
// counting fake to prove that no behavior is encoded twice.
#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"

namespace bahed::encoder {

// What an encoder has done so far; read from any thread.
struct TextEncoderCounters {
  std::atomic<uint64_t> texts{0};          // texts encoded
  std::atomic<uint64_t> truncated{0};      // texts cut at the token limit
  std::atomic<uint64_t> tokens{0};         // real tokens run through the shallow layers
  std::atomic<uint64_t> padded_tokens{0};  // rows x padded length (the compute actually spent)
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> encode_ns{0};      // wall time inside encode()
};

class TextEncoder {
 public:
  virtual ~TextEncoder() = default;

  // Length of every vector.
  virtual uint32_t dimension() const = 0;
  // Fingerprint of everything that shapes a vector (weights, L_s, pooling,
  // tokenizer, token limit): the store's encoder version. Equal
  // fingerprints must mean interchangeable vectors.
  virtual uint64_t fingerprint() const = 0;
  // [texts.size() * dimension()] float32, row i for texts[i]. Texts are
  // already normalized and non-empty. Thread safety: one call at a time.
  virtual Result<std::vector<float>> encode(std::span<const std::string> texts) = 0;
  virtual const TextEncoderCounters& counters() const = 0;
};

}  // namespace bahed::encoder
