#include "encoder/store/behavior_key.h"

// Header-only: XXH3 inlined here, so nothing links libxxhash at run time.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "encoder/store/big_endian.h"

namespace bahed::encoder {
namespace {

Hash128 from_xxh(XXH128_hash_t h) { return Hash128{h.high64, h.low64}; }

}  // namespace

std::string Hash128::bytes() const {
  std::string out;
  out.reserve(kSizeBytes);
  put_u64_be(out, hi);
  put_u64_be(out, lo);
  return out;
}

Hash128 Hash128::from_bytes(const char* p) { return Hash128{get_u64_be(p), get_u64_be(p + 8)}; }

std::string Hash128::hex() const { return to_hex(bytes()); }

std::string BehaviorKey::encode() const {
  std::string out;
  out.reserve(kSizeBytes);
  put_u64_be(out, encoder_version);
  put_u64_be(out, behavior.hi);
  put_u64_be(out, behavior.lo);
  return out;
}

std::optional<BehaviorKey> BehaviorKey::decode(std::string_view bytes) {
  if (bytes.size() != kSizeBytes) return std::nullopt;
  return BehaviorKey{get_u64_be(bytes.data()), Hash128::from_bytes(bytes.data() + 8)};
}

std::string BehaviorKey::hex() const { return to_hex(encode()); }

Hash128 hash_behavior(std::string_view feature, std::string_view normalized_text) {
  std::string input;
  input.reserve(4 + feature.size() + normalized_text.size());
  put_u32_be(input, static_cast<uint32_t>(feature.size()));
  input.append(feature);
  input.append(normalized_text);
  return from_xxh(XXH3_128bits(input.data(), input.size()));
}

BehaviorKey make_behavior_key(uint64_t encoder_version, std::string_view feature, std::string_view text) {
  return BehaviorKey{encoder_version, hash_behavior(feature, normalize_behavior_text(text))};
}

Hash128 hash_user_id(std::string_view user_id) { return from_xxh(XXH3_128bits(user_id.data(), user_id.size())); }

}  // namespace bahed::encoder
