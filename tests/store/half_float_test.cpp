#include "encoder/store/half_float.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

namespace bahed::encoder {
namespace {

TEST(HalfFloat, EncodesKnownFp16BitPatterns) {
  EXPECT_EQ(float_to_fp16(0.0f), 0x0000);
  EXPECT_EQ(float_to_fp16(-0.0f), 0x8000);
  EXPECT_EQ(float_to_fp16(1.0f), 0x3C00);
  EXPECT_EQ(float_to_fp16(-2.0f), 0xC000);
  EXPECT_EQ(float_to_fp16(65504.0f), 0x7BFF);  // largest finite
  EXPECT_EQ(float_to_fp16(0x1p-14f), 0x0400);  // smallest normal
  EXPECT_EQ(float_to_fp16(0x1p-24f), 0x0001);  // smallest subnormal
  EXPECT_EQ(float_to_fp16(std::numeric_limits<float>::infinity()), 0x7C00);
  EXPECT_EQ(float_to_fp16(-std::numeric_limits<float>::infinity()), 0xFC00);
}

TEST(HalfFloat, RoundsFp16ToNearestEvenOnTies) {
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to the even 1.
  EXPECT_EQ(float_to_fp16(1.0f + 0x1p-11f), 0x3C00);
  // 1 + 3 * 2^-11 is halfway between 1 + 2^-10 (odd) and 1 + 2^-9: up.
  EXPECT_EQ(float_to_fp16(1.0f + 3 * 0x1p-11f), 0x3C02);
  // Just above the tie rounds up.
  EXPECT_EQ(float_to_fp16(1.0f + 0x1p-11f + 0x1p-20f), 0x3C01);
  // 65520 ties between 65504 (odd) and 65536 (infinity): infinity.
  EXPECT_EQ(float_to_fp16(65520.0f), 0x7C00);
  EXPECT_EQ(float_to_fp16(65519.0f), 0x7BFF);
  // Subnormals: 2^-25 ties to the even 0; 3 * 2^-25 to the even 2 * 2^-24.
  EXPECT_EQ(float_to_fp16(0x1p-25f), 0x0000);
  EXPECT_EQ(float_to_fp16(0x1.000002p-25f), 0x0001);
  EXPECT_EQ(float_to_fp16(3 * 0x1p-25f), 0x0002);
  // Largest subnormal plus half an ulp rounds up into the smallest normal.
  EXPECT_EQ(float_to_fp16(0x1p-14f - 0x1p-25f), 0x0400);
}

TEST(HalfFloat, KeepsNanAQuietNan) {
  const uint16_t h = float_to_fp16(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(h & 0x7C00, 0x7C00);
  EXPECT_NE(h & 0x03FF, 0);
  EXPECT_TRUE(std::isnan(fp16_to_float(h)));
  // A signalling NaN whose payload sits only in the dropped bits stays NaN.
  EXPECT_TRUE(std::isnan(fp16_to_float(float_to_fp16(std::bit_cast<float>(0x7F800001u)))));
  EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(std::bit_cast<float>(0x7F800001u)))));
}

TEST(HalfFloat, RoundTripsEveryFp16AndBf16Value) {
  for (uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const auto h = static_cast<uint16_t>(bits);
    const float f16 = fp16_to_float(h);
    if (std::isnan(f16)) {
      EXPECT_TRUE(std::isnan(fp16_to_float(float_to_fp16(f16)))) << bits;
    } else {
      EXPECT_EQ(float_to_fp16(f16), h) << bits;
    }
    const float b16 = bf16_to_float(h);
    if (std::isnan(b16)) {
      EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(b16)))) << bits;
    } else {
      EXPECT_EQ(float_to_bf16(b16), h) << bits;
    }
  }
}

TEST(HalfFloat, RoundsBf16ToNearestEven) {
  EXPECT_EQ(float_to_bf16(1.0f), 0x3F80);
  // 1 + 2^-8 ties between 1 and 1 + 2^-7: the even 1.
  EXPECT_EQ(float_to_bf16(1.0f + 0x1p-8f), 0x3F80);
  // 1 + 3 * 2^-8 ties between 1 + 2^-7 (odd) and 1 + 2^-6: up.
  EXPECT_EQ(float_to_bf16(1.0f + 3 * 0x1p-8f), 0x3F82);
  EXPECT_EQ(float_to_bf16(std::numeric_limits<float>::max()), 0x7F80);  // above the last midpoint
  EXPECT_EQ(float_to_bf16(-0.0f), 0x8000);
}

// Random floats against references that round with the FPU's own
// round-to-nearest-even: _Float16 conversion where the compiler has it, and
// nearbyint at the right scale for bf16.
TEST(HalfFloat, MatchesReferenceRoundingOnRandomFloats) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<uint32_t> any_bits;
  for (int i = 0; i < 200000; ++i) {
    const float f = std::bit_cast<float>(any_bits(rng));
    if (std::isnan(f)) continue;
#ifdef __FLT16_MAX__
    const auto expected16 = std::bit_cast<uint16_t>(static_cast<_Float16>(f));
    ASSERT_EQ(float_to_fp16(f), expected16) << std::hexfloat << f;
#endif
    if (std::isinf(f) || f == 0.0f || std::fabs(f) < std::numeric_limits<float>::min()) continue;
    const double scale = std::ldexp(1.0, std::ilogb(f) - 7);  // bf16 keeps 8 significant bits
    const double rounded = std::nearbyint(static_cast<double>(f) / scale) * scale;
    const float got = bf16_to_float(float_to_bf16(f));
    if (std::fabs(rounded) > std::numeric_limits<float>::max()) {
      ASSERT_TRUE(std::isinf(got)) << std::hexfloat << f;
    } else {
      ASSERT_EQ(got, static_cast<float>(rounded)) << std::hexfloat << f;
    }
  }
}

}  // namespace
}  // namespace bahed::encoder
