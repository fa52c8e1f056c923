#pragma once
// Keys of the `meta` column family (a file format). Text prefixes keep the
// family readable with ldb; the numbers after them are big-endian.
//   "schema"                      -> uint32 kStoreSchemaVersion
//   "encoder/current"             -> uint64 version, uint32 dimension: the
//                                    last read-write open
//   "encoder/version/" + uint64   -> uint32 dimension: every version that
//                                    may have vectors
//   "offset/" + uint32 partition  -> uint64 next offset to apply (watermark)
#include <cstdint>
#include <string>
#include <string_view>

#include "encoder/store/big_endian.h"

namespace bahed::encoder {

// Bumped when a key or value layout changes incompatibly.
constexpr uint32_t kStoreSchemaVersion = 1;

constexpr std::string_view kSchemaKey = "schema";
constexpr std::string_view kCurrentEncoderKey = "encoder/current";
constexpr std::string_view kEncoderVersionPrefix = "encoder/version/";
constexpr std::string_view kOffsetPrefix = "offset/";

inline std::string encoder_version_key(uint64_t version) {
  std::string key(kEncoderVersionPrefix);
  put_u64_be(key, version);
  return key;
}

// `partition` is a Kafka partition (>= 0).
inline std::string offset_key(int32_t partition) {
  std::string key(kOffsetPrefix);
  put_u32_be(key, static_cast<uint32_t>(partition));
  return key;
}

}  // namespace bahed::encoder
