#pragma once
// The store's column families, one per role. Their names are a file format;
// new families are appended (a store written before one existed gets it at
// its next read-write open).
#include <array>
#include <cstddef>
#include <string_view>

namespace bahed::encoder {

enum class ColumnFamily : size_t {
  kDefault = 0,  // required by RocksDB; unused
  kVectors,      // BehaviorKey (24 bytes) -> vector value (vector_codec.h)
  kHistories,    // hash_user_id (16 bytes) -> history value (history_codec.h)
  kMeta,         // schema, encoder versions, applied offsets (meta_keys.h)
  kTexts,        // behavior hash (16 bytes) -> (feature, normalized text) (text_codec.h); no TTL
};
constexpr size_t kNumColumnFamilies = 5;

constexpr std::array<std::string_view, kNumColumnFamilies> kColumnFamilyNames = {"default", "vectors", "histories",
                                                                                 "meta", "texts"};

// Families added after the first release: a store written before them lacks
// them until a read-write open creates them, so read-only and secondary
// opens go on without them (RocksDbHandle::cf returns nullptr).
constexpr bool column_family_may_be_absent(ColumnFamily cf) { return cf == ColumnFamily::kTexts; }

constexpr std::string_view column_family_name(ColumnFamily cf) { return kColumnFamilyNames[static_cast<size_t>(cf)]; }

}  // namespace bahed::encoder
