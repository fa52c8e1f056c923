#pragma once
// The store's column families, one per role. Their names are a file format.
#include <array>
#include <cstddef>
#include <string_view>

namespace bahed::encoder {

enum class ColumnFamily : size_t {
  kDefault = 0,  // required by RocksDB; unused
  kVectors,      // BehaviorKey (24 bytes) -> vector value (vector_codec.h)
  kHistories,    // hash_user_id (16 bytes) -> history value (history_codec.h)
  kMeta,         // schema, encoder versions, applied offsets (meta_keys.h)
};
constexpr size_t kNumColumnFamilies = 4;

constexpr std::array<std::string_view, kNumColumnFamilies> kColumnFamilyNames = {"default", "vectors", "histories",
                                                                                 "meta"};

constexpr std::string_view column_family_name(ColumnFamily cf) { return kColumnFamilyNames[static_cast<size_t>(cf)]; }

}  // namespace bahed::encoder
