#include "encoder/store/store_options.h"

#include <gtest/gtest.h>

namespace bahed::encoder {
namespace {

TEST(StoreOptions, DefaultsAreValidOnceAPathIsSet) {
  StoreOptions o;
  EXPECT_EQ(o.validate().code(), StatusCode::kInvalidArgument);
  o.path = "/tmp/x";
  EXPECT_TRUE(o.validate().is_ok()) << o.validate().to_string();
}

TEST(StoreOptions, NamesTheYamlKeyOfABadValue) {
  StoreOptions o;
  o.path = "/tmp/x";
  o.block_cache_bytes = 10;
  EXPECT_EQ(o.validate().message().rfind("store.block_cache_bytes must be", 0), 0u);
  o = StoreOptions{};
  o.path = "/tmp/x";
  o.history_length = 0;
  EXPECT_EQ(o.validate().message().rfind("store.history_length must be", 0), 0u);
  o = StoreOptions{};
  o.path = "/tmp/x";
  o.bloom_bits_per_key = 100;
  EXPECT_EQ(o.validate().message().rfind("store.bloom_bits_per_key must be", 0), 0u);
}

TEST(StoreOptions, ParsesDtypeAndCompressionNames) {
  EXPECT_EQ(parse_vector_dtype("bf16"), VectorDtype::kBf16);
  EXPECT_EQ(parse_vector_dtype("fp16"), VectorDtype::kFp16);
  EXPECT_FALSE(parse_vector_dtype("float16").has_value());
  EXPECT_EQ(vector_dtype_name(VectorDtype::kFp16), "fp16");
  EXPECT_EQ(parse_block_compression("zstd"), BlockCompression::kZstd);
  EXPECT_EQ(block_compression_name(BlockCompression::kLz4), "lz4");
  EXPECT_FALSE(parse_block_compression("snappy").has_value());
}

}  // namespace
}  // namespace bahed::encoder
