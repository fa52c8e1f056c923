#pragma once
// Keys of the behavior store. A behavior's identity is a 128-bit XXH3 hash
// of (feature, normalized text); its vector's key adds the encoder version,
// so vectors of different shallow encoders never mix.
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "encoder/store/behavior_text.h"

namespace bahed::encoder {

// A 128-bit hash. Its byte form is big-endian `hi` then `lo` (XXH3's
// canonical form), 16 bytes.
struct Hash128 {
  uint64_t hi = 0;
  uint64_t lo = 0;

  static constexpr size_t kSizeBytes = 16;
  std::string bytes() const;
  // `p` points to 16 bytes.
  static Hash128 from_bytes(const char* p);
  std::string hex() const;
  auto operator<=>(const Hash128&) const = default;
};

// The key of one behavior vector: 8 bytes big-endian encoder version, then
// the 16-byte behavior hash. Big-endian makes one version one key range.
struct BehaviorKey {
  // Fingerprint of the shallow encoder (weights, L_s, pooling, token limit),
  // computed by the caller.
  uint64_t encoder_version = 0;
  // hash_behavior(feature, normalized text); version-independent, so user
  // histories (which store only this) survive an encoder change.
  Hash128 behavior;

  static constexpr size_t kSizeBytes = 8 + Hash128::kSizeBytes;
  std::string encode() const;
  // nullopt unless `bytes` is exactly kSizeBytes long.
  static std::optional<BehaviorKey> decode(std::string_view bytes);
  // Hex of encode(), for messages.
  std::string hex() const;
  auto operator<=>(const BehaviorKey&) const = default;
};

// For unordered containers; the hash bits are already uniform.
struct Hash128Hasher {
  size_t operator()(const Hash128& h) const noexcept { return static_cast<size_t>(h.lo ^ h.hi); }
};

struct BehaviorKeyHasher {
  size_t operator()(const BehaviorKey& k) const noexcept {
    return static_cast<size_t>(k.behavior.lo ^ (k.behavior.hi * 0x9E37'79B9'7F4A'7C15ull) ^ k.encoder_version);
  }
};

// XXH3-128 (seed 0) of: feature length as 4 bytes big-endian, feature bytes,
// text bytes. The length prefix keeps ("ab", "c") and ("a", "bc") apart.
// `text` must already be normalized; `feature` is hashed as given.
Hash128 hash_behavior(std::string_view feature, std::string_view normalized_text);

// make_behavior_key(v, f, t) = {v, hash_behavior(f, normalize_behavior_text(t))}.
BehaviorKey make_behavior_key(uint64_t encoder_version, std::string_view feature, std::string_view text);

// XXH3-128 (seed 0) of the user id's bytes, as given: the fixed-width key of
// a user's history.
Hash128 hash_user_id(std::string_view user_id);

}  // namespace bahed::encoder
