#include "encoder/store/history_codec.h"

#include "encoder/store/big_endian.h"

namespace bahed::encoder {

std::string encode_history(std::span<const HistoryEntry> entries) {
  std::string out;
  out.reserve(1 + entries.size() * kHistoryEntryBytes);
  out.push_back(static_cast<char>(kHistoryFormatV1));
  for (const HistoryEntry& e : entries) {
    put_u64_be(out, e.behavior.hi);
    put_u64_be(out, e.behavior.lo);
    put_u64_be(out, static_cast<uint64_t>(e.event_time_ms));
    put_u32_be(out, static_cast<uint32_t>(e.partition));
    put_u64_be(out, static_cast<uint64_t>(e.offset));
  }
  return out;
}

Result<std::vector<HistoryEntry>> decode_history(std::string_view value, std::string_view user_key_hex) {
  if (value.empty() || static_cast<uint8_t>(value[0]) != kHistoryFormatV1 ||
      (value.size() - 1) % kHistoryEntryBytes != 0) {
    return Status::corruption("history " + std::string(user_key_hex) + " has a bad format byte or length (" +
                              std::to_string(value.size()) + " bytes)");
  }
  const size_t n = (value.size() - 1) / kHistoryEntryBytes;
  std::vector<HistoryEntry> entries(n);
  const char* p = value.data() + 1;
  for (HistoryEntry& e : entries) {
    e.behavior = Hash128::from_bytes(p);
    e.event_time_ms = static_cast<int64_t>(get_u64_be(p + 16));
    e.partition = static_cast<int32_t>(get_u32_be(p + 24));
    e.offset = static_cast<int64_t>(get_u64_be(p + 28));
    p += kHistoryEntryBytes;
  }
  return entries;
}

}  // namespace bahed::encoder
