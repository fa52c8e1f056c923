#pragma once
// Big-endian fixed-width integers for keys and value headers. Keys are
// compared bytewise by RocksDB, so big-endian makes numeric order and key
// order agree (all keys of one encoder version are one contiguous range).
#include <cstdint>
#include <string>
#include <string_view>

namespace bahed::encoder {

inline void put_u16_be(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

inline void put_u32_be(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

inline void put_u64_be(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

// Readers take a pointer to at least N bytes; callers check sizes first.
inline uint16_t get_u16_be(const char* p) {
  return static_cast<uint16_t>((static_cast<uint16_t>(static_cast<unsigned char>(p[0])) << 8) |
                               static_cast<unsigned char>(p[1]));
}

inline uint32_t get_u32_be(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

inline uint64_t get_u64_be(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// Lower-case hex of arbitrary bytes, for error messages naming a key.
inline std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xF]);
  }
  return out;
}

}  // namespace bahed::encoder
