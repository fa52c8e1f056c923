#pragma once
// The stored form of one user's history (a file format):
//   byte 0   format, kHistoryFormatV2
//   then n entries of 37 bytes, oldest first, all big-endian:
//     16 behavior hash, 8 event time ms (int64), 4 partition (int32),
//     8 offset (int64), 1 action (common/behavior_action.h)
// Format 1 (36-byte entries, no action) is still read: its entries have
// action kNone.
// A history is rewritten whole on append: it is small (H * 37 bytes) and one
// value per user makes a read a single point lookup.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "encoder/store/history_entry.h"

namespace bahed::encoder {

constexpr uint8_t kHistoryFormatV1 = 1;
constexpr uint8_t kHistoryFormatV2 = 2;
constexpr size_t kHistoryEntryBytesV1 = 36;
constexpr size_t kHistoryEntryBytes = 37;

std::string encode_history(std::span<const HistoryEntry> entries);

// Corruption naming `user_key_hex` if the format byte, the length or an
// action is wrong.
Result<std::vector<HistoryEntry>> decode_history(std::string_view value, std::string_view user_key_hex);

}  // namespace bahed::encoder
