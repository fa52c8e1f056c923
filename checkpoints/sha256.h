#pragma once
// SHA-256 (FIPS 180-4), self-contained so that checkpoints/ needs neither
// OpenSSL nor LibTorch. Incremental: feed any number of update() calls, then
// finish() once. Not thread-safe; one object per stream.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace bahed::checkpoints {

class Sha256 {
 public:
  using Digest = std::array<uint8_t, 32>;

  Sha256();
  void update(const void* data, size_t size);
  void update(std::string_view s) { update(s.data(), s.size()); }
  // Pads, returns the digest and leaves the object finished: call reset()
  // before hashing another stream.
  Digest finish();
  void reset();

 private:
  void compress(const uint8_t* block);

  std::array<uint32_t, 8> state_{};
  std::array<uint8_t, 64> buffer_{};
  size_t n_buffered_ = 0;
  uint64_t n_total_bytes_ = 0;
};

// Lowercase hex, 64 characters.
std::string to_hex(const Sha256::Digest& digest);
// SHA-256 of `s` as lowercase hex.
std::string sha256_hex(std::string_view s);

}  // namespace bahed::checkpoints
