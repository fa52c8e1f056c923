#include "encoder/store/text_codec.h"

namespace bahed::encoder {
namespace {

// A feature length needs at most 10 LEB128 bytes (64 bits).
constexpr size_t kMaxVarintBytes = 10;

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads a varint at value[pos]; advances pos. False if it is truncated or
// longer than kMaxVarintBytes.
bool get_varint(std::string_view value, size_t& pos, uint64_t& v) {
  v = 0;
  for (size_t i = 0; i < kMaxVarintBytes && pos < value.size(); ++i) {
    const auto b = static_cast<unsigned char>(value[pos++]);
    v |= static_cast<uint64_t>(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace

std::string encode_behavior_text(std::string_view feature, std::string_view normalized_text) {
  std::string out;
  out.reserve(1 + 2 + feature.size() + normalized_text.size());
  out.push_back(static_cast<char>(kTextFormatV1));
  put_varint(out, feature.size());
  out.append(feature);
  out.append(normalized_text);
  return out;
}

Result<BehaviorText> decode_behavior_text(std::string_view value, std::string_view key_hex) {
  const auto corrupt = [&](const std::string& why) {
    return Status::corruption("text " + std::string(key_hex) + " " + why + " (" + std::to_string(value.size()) +
                              " bytes)");
  };
  if (value.empty() || static_cast<uint8_t>(value[0]) != kTextFormatV1) return corrupt("has a bad format byte");
  size_t pos = 1;
  uint64_t feature_size = 0;
  if (!get_varint(value, pos, feature_size)) return corrupt("has a malformed feature length");
  if (feature_size > value.size() - pos) return corrupt("has a feature length past its end");
  BehaviorText out;
  out.feature.assign(value.substr(pos, feature_size));
  out.text.assign(value.substr(pos + feature_size));
  return out;
}

}  // namespace bahed::encoder
