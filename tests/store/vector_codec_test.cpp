#include "encoder/store/vector_codec.h"

#include <gtest/gtest.h>

#include <vector>

namespace bahed::encoder {
namespace {

TEST(VectorCodec, WritesDocumentedHeader) {
  const std::vector<float> v = {1.0f, -2.0f, 0.5f};
  const std::string value = encode_vector(v, VectorDtype::kFp16, 0x01020304);
  ASSERT_EQ(value.size(), kVectorHeaderBytes + 6);
  EXPECT_EQ(value[0], static_cast<char>(kVectorFormatV1));
  EXPECT_EQ(value[1], static_cast<char>(VectorDtype::kFp16));
  EXPECT_EQ(value.substr(2, 4), std::string("\0\0\0\3", 4));
  EXPECT_EQ(value.substr(6, 4), std::string("\1\2\3\4", 4));
  EXPECT_EQ(value.substr(10, 2), std::string("\x3c\x00", 2));  // 1.0 in fp16, big-endian
}

TEST(VectorCodec, RoundTripsBothDtypesWithRounding) {
  const std::vector<float> v = {1.0f, -0.25f, 3.14159265f, 1e-3f};
  for (const VectorDtype dtype : {VectorDtype::kFp16, VectorDtype::kBf16}) {
    Result<DecodedVector> d = decode_vector(encode_vector(v, dtype, 7), 4, "k");
    ASSERT_TRUE(d.is_ok()) << d.status().to_string();
    EXPECT_EQ(d->dtype, dtype);
    EXPECT_EQ(d->last_seen_day, 7u);
    EXPECT_EQ(d->values[0], 1.0f);
    EXPECT_EQ(d->values[1], -0.25f);
    const float tolerance = dtype == VectorDtype::kFp16 ? 2e-3f : 2e-2f;  // relative, 10 vs 7 mantissa bits
    EXPECT_NEAR(d->values[2], 3.14159265f, 3.2f * tolerance);
    EXPECT_NEAR(d->values[3], 1e-3f, 1e-3f * tolerance);
  }
  // Rounding is visible: bf16 has 8 significant bits, so 1 + 2^-9 is lost.
  Result<DecodedVector> d =
      decode_vector(encode_vector(std::vector<float>{1.0f + 0x1p-9f}, VectorDtype::kBf16, 0), 1, "k");
  ASSERT_TRUE(d.is_ok());
  EXPECT_EQ(d->values[0], 1.0f);
}

TEST(VectorCodec, RefusesDimensionMismatchNamingTheKey) {
  const std::string value = encode_vector(std::vector<float>(8, 1.0f), VectorDtype::kBf16, 0);
  const Result<DecodedVector> d = decode_vector(value, 16, "00ff");
  ASSERT_FALSE(d.is_ok());
  EXPECT_EQ(d.status().code(), StatusCode::kCorruption);
  EXPECT_NE(d.status().message().find("00ff"), std::string::npos);
  EXPECT_NE(d.status().message().find("dimension 8, expected 16"), std::string::npos);
}

TEST(VectorCodec, RefusesTruncatedOrUnknownValues) {
  std::string value = encode_vector(std::vector<float>(4, 1.0f), VectorDtype::kFp16, 0);
  EXPECT_EQ(decode_vector(value.substr(0, value.size() - 1), 4, "k").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(decode_vector("abc", 4, "k").status().code(), StatusCode::kCorruption);
  value[1] = 9;  // unknown dtype
  EXPECT_FALSE(parse_vector_header(value).has_value());
  EXPECT_EQ(decode_vector(value, 4, "k").status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace bahed::encoder
