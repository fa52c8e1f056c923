#include "encoder/store/history_codec.h"

#include "encoder/store/big_endian.h"

namespace bahed::encoder {

std::string encode_history(std::span<const HistoryEntry> entries) {
  std::string out;
  out.reserve(1 + entries.size() * kHistoryEntryBytes);
  out.push_back(static_cast<char>(kHistoryFormatV2));
  for (const HistoryEntry& e : entries) {
    put_u64_be(out, e.behavior.hi);
    put_u64_be(out, e.behavior.lo);
    put_u64_be(out, static_cast<uint64_t>(e.event_time_ms));
    put_u32_be(out, static_cast<uint32_t>(e.partition));
    put_u64_be(out, static_cast<uint64_t>(e.offset));
    out.push_back(static_cast<char>(e.action));
  }
  return out;
}

Result<std::vector<HistoryEntry>> decode_history(std::string_view value, std::string_view user_key_hex) {
  const uint8_t format = value.empty() ? 0 : static_cast<uint8_t>(value[0]);
  const size_t entry_bytes = format == kHistoryFormatV2   ? kHistoryEntryBytes
                             : format == kHistoryFormatV1 ? kHistoryEntryBytesV1
                                                          : 0;
  if (entry_bytes == 0 || (value.size() - 1) % entry_bytes != 0) {
    return Status::corruption("history " + std::string(user_key_hex) + " has a bad format byte or length (" +
                              std::to_string(value.size()) + " bytes)");
  }
  const size_t n = (value.size() - 1) / entry_bytes;
  std::vector<HistoryEntry> entries(n);
  const char* p = value.data() + 1;
  for (HistoryEntry& e : entries) {
    e.behavior = Hash128::from_bytes(p);
    e.event_time_ms = static_cast<int64_t>(get_u64_be(p + 16));
    e.partition = static_cast<int32_t>(get_u32_be(p + 24));
    e.offset = static_cast<int64_t>(get_u64_be(p + 28));
    if (format == kHistoryFormatV2) {
      const auto action = behavior_action_from_byte(static_cast<uint8_t>(p[36]));
      if (!action) {
        return Status::corruption("history " + std::string(user_key_hex) + " has an unknown action " +
                                  std::to_string(static_cast<uint8_t>(p[36])));
      }
      e.action = *action;
    }
    p += entry_bytes;
  }
  return entries;
}

}  // namespace bahed::encoder
