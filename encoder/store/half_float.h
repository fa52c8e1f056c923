#pragma once
// IEEE 754 binary16 ("fp16") and bfloat16 ("bf16") conversions, written out
// so the stored format does not depend on a compiler's _Float16/__bf16
// support. Float to 16 bits rounds to nearest, ties to even (what hardware
// converters and torch do), overflows to infinity, keeps NaN a quiet NaN
// with its sign, and produces fp16 subnormals. 16 bits to float is exact.
#include <bit>
#include <cstdint>

namespace bahed::encoder {

constexpr uint16_t float_to_fp16(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  const auto sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t abs = x & 0x7FFF'FFFFu;
  if (abs > 0x7F80'0000u) {  // NaN: quiet bit set, top payload bits kept
    return static_cast<uint16_t>(sign | 0x7E00u | ((abs >> 13) & 0x3FFu));
  }
  // 65520 is halfway between 65504 (largest fp16, odd mantissa) and 65536,
  // so it and everything above round to infinity.
  if (abs >= 0x477F'F000u) return static_cast<uint16_t>(sign | 0x7C00u);
  if (abs >= 0x3880'0000u) {  // >= 2^-14: an fp16 normal
    // Rebias the exponent (127 -> 15), then round the 13 dropped mantissa
    // bits; a carry into the exponent is the correct rounding up.
    uint32_t m = abs - 0x3800'0000u;
    m += 0x0FFFu + ((m >> 13) & 1u);
    return static_cast<uint16_t>(sign | (m >> 13));
  }
  // Below 2^-25 everything rounds to zero (2^-25 itself ties to the even 0).
  if (abs < 0x3300'0000u) return sign;
  // An fp16 subnormal: count in units of 2^-24.
  const uint32_t e = abs >> 23;  // 102..112
  const uint32_t mant = (abs & 0x7F'FFFFu) | 0x80'0000u;
  const uint32_t shift = 126u - e;  // 14..24
  uint32_t units = mant >> shift;
  const uint32_t rem = mant & ((1u << shift) - 1u);
  const uint32_t halfway = 1u << (shift - 1u);
  if (rem > halfway || (rem == halfway && (units & 1u))) ++units;  // may become the smallest normal: right
  return static_cast<uint16_t>(sign | units);
}

constexpr float fp16_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  const uint32_t mant = h & 0x3FFu;
  if (exp == 0x1F) return std::bit_cast<float>(sign | 0x7F80'0000u | (mant << 13));
  if (exp == 0) {
    // Subnormal (or zero): mant * 2^-24 is exact in float.
    const float magnitude = static_cast<float>(mant) * 0x1p-24f;
    return std::bit_cast<float>(sign | std::bit_cast<uint32_t>(magnitude));
  }
  return std::bit_cast<float>(sign | ((exp + 112u) << 23) | (mant << 13));
}

constexpr uint16_t float_to_bf16(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  if ((x & 0x7FFF'FFFFu) > 0x7F80'0000u) return static_cast<uint16_t>((x >> 16) | 0x0040u);  // quiet NaN
  // Round the 16 dropped bits to nearest even; FLT_MAX rounds to infinity,
  // as it lies above the midpoint to bf16's largest finite value.
  return static_cast<uint16_t>((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}

constexpr float bf16_to_float(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

}  // namespace bahed::encoder
