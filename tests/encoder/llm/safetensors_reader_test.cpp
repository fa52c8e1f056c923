#include "encoder/llm/safetensors_reader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "encoder/llm/safetensors_writer.h"
#include "tests/common/temp_dir.h"

namespace bahed::encoder {
namespace {

using bahed::testing::TempDir;

// A file from a raw header and `n_data` bytes of data (0, 1, 2, ...).
std::vector<std::byte> make_file(const std::string& header, size_t n_data, uint64_t declared = UINT64_MAX) {
  const uint64_t n = declared == UINT64_MAX ? header.size() : declared;
  std::vector<std::byte> file(8 + header.size() + n_data);
  std::memcpy(file.data(), &n, 8);
  std::memcpy(file.data() + 8, header.data(), header.size());
  for (size_t i = 0; i < n_data; ++i) file[8 + header.size() + i] = std::byte(i & 0xff);
  return file;
}

std::span<const std::byte> as_bytes(const std::vector<float>& v) { return std::as_bytes(std::span(v)); }

void expect_corruption(const std::vector<std::byte>& file, const std::string& needle) {
  Result<SafetensorsContents> r = parse_safetensors(file);
  ASSERT_FALSE(r.is_ok()) << "accepted a file that should fail with: " << needle;
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find(needle), std::string::npos)
      << "expected '" << needle << "' in: " << r.status().to_string();
}

TEST(SafetensorsReader, ReadsWhatTheWriterWrote) {
  TempDir dir;
  const std::vector<float> a = {1.5f, -2.0f, 3.25f, 4.0f, 5.0f, 6.0f};
  const std::vector<uint16_t> b = {0x3f80, 0x4000, 0x4040};  // bf16 1, 2, 3
  const std::vector<SafetensorsEntry> entries = {
      {"z.weight", SafetensorsDtype::kF32, {2, 3}, as_bytes(a)},
      {"a.bias", SafetensorsDtype::kBF16, {3}, std::as_bytes(std::span(b))},
  };
  const auto path = dir.path() / "model.safetensors";
  ASSERT_TRUE(write_safetensors(path, entries).is_ok());

  Result<SafetensorsReader> reader = SafetensorsReader::open_file(path);
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
  ASSERT_EQ(reader->tensors().size(), 2u);
  const TensorView* z = reader->find("z.weight");
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(z->dtype, SafetensorsDtype::kF32);
  EXPECT_EQ(z->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(std::memcmp(z->data.data(), a.data(), 24), 0);
  const TensorView* ab = reader->find("a.bias");
  ASSERT_NE(ab, nullptr);
  EXPECT_EQ(ab->dtype, SafetensorsDtype::kBF16);
  EXPECT_EQ(std::memcmp(ab->data.data(), b.data(), 6), 0);
  EXPECT_EQ(reader->find("missing"), nullptr);
}

TEST(SafetensorsWriter, PadsHeaderTo8BytesAndAlignsEachTensor) {
  const std::vector<uint16_t> odd = {1, 2, 3};  // 6 bytes: would misalign a following F32
  const std::vector<float> f = {1.0f, 2.0f};
  const std::vector<SafetensorsEntry> entries = {
      {"a_bf16", SafetensorsDtype::kBF16, {3}, std::as_bytes(std::span(odd))},
      {"b_f32", SafetensorsDtype::kF32, {2}, as_bytes(f)},
  };
  Result<std::string> header = build_safetensors_header(entries, {{"format", "pt"}});
  ASSERT_TRUE(header.is_ok());
  uint64_t n = 0;
  std::memcpy(&n, header->data(), 8);
  EXPECT_EQ(n + 8, header->size());
  EXPECT_EQ(header->size() % 8, 0u);
  EXPECT_EQ(header->at(8), '{');
  EXPECT_NE(header->find("\"__metadata__\":{\"format\":\"pt\"}"), std::string::npos);
  // Larger elements first: the F32 tensor starts the data section.
  EXPECT_NE(header->find("\"b_f32\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}"), std::string::npos)
      << *header;
  EXPECT_LT(header->find("a_bf16"), header->find("b_f32"));  // header keys sorted by name
}

TEST(SafetensorsWriter, RefusesSizeMismatchAndDuplicateNames) {
  const std::vector<float> f = {1.0f, 2.0f};
  EXPECT_EQ(build_safetensors_header({{"x", SafetensorsDtype::kF32, {3}, as_bytes(f)}}, {}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(build_safetensors_header(
                {{"x", SafetensorsDtype::kF32, {2}, as_bytes(f)}, {"x", SafetensorsDtype::kF32, {2}, as_bytes(f)}}, {})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(SafetensorsReader, RefusesFileShorterThanLengthPrefix) {
  expect_corruption(std::vector<std::byte>(5), "shorter than the 8-byte header length");
}

TEST(SafetensorsReader, RefusesHeaderLengthBeyondFile) {
  expect_corruption(make_file("{}", 0, 1000), "beyond the end");
  expect_corruption(make_file("{}", 0, UINT64_MAX - 3), "beyond the end");
}

TEST(SafetensorsReader, RefusesBadJson) {
  expect_corruption(make_file("{\"a\": ", 0), "bad JSON");
  expect_corruption(make_file("[1, 2]", 0), "bad JSON");
  expect_corruption(make_file("{\"a\": 3}", 0), "'a' is not an object");
}

TEST(SafetensorsReader, RefusesUnknownDtype) {
  expect_corruption(make_file(R"({"t":{"dtype":"F7","shape":[1],"data_offsets":[0,4]}})", 4), "unknown dtype 'F7'");
}

TEST(SafetensorsReader, RefusesOffsetsOutOfRange) {
  expect_corruption(make_file(R"({"t":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8), "out of range");
  expect_corruption(make_file(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})", 8), "out of range");
  expect_corruption(make_file(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", 8), "[begin, end]");
}

TEST(SafetensorsReader, RefusesOverlappingTensors) {
  expect_corruption(make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},
                                  "b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                              12),
                    "overlaps");
}

TEST(SafetensorsReader, RefusesSizeNotMatchingDtypeTimesShape) {
  expect_corruption(make_file(R"({"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8),
                    "spans 8 bytes but dtype F32 and its shape need 12");
  expect_corruption(make_file(R"({"t":{"dtype":"F32","shape":[4611686018427387904,8],"data_offsets":[0,8]}})", 8),
                    "overflows");
  expect_corruption(make_file(R"({"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8),
                    "not a non-negative integer");
}

TEST(SafetensorsReader, RefusesGapsAndUncoveredTrailingBytes) {
  expect_corruption(make_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8), "gap of 4 bytes");
  expect_corruption(make_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 8),
                    "4 bytes after the last tensor");
}

TEST(SafetensorsReader, RefusesDuplicateNamesAndBadMetadata) {
  expect_corruption(make_file(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},
                                  "a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
                              2),
                    "duplicate tensor name 'a'");
  expect_corruption(make_file(R"({"__metadata__":{"format":1}})", 0), "__metadata__");
}

TEST(SafetensorsReader, AcceptsEmptyTensorsAndMetadata) {
  Result<SafetensorsContents> r = parse_safetensors(make_file(
      R"({"__metadata__":{"format":"pt"},"e":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},
          "t":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})",
      8));
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->metadata.at("format"), "pt");
  EXPECT_EQ(r->tensors.at("e").numel(), 0);
  EXPECT_EQ(r->tensors.at("t").data.size(), 8u);
}

TEST(SafetensorsReader, NeverCrashesOnMutatedFiles) {
  const std::vector<float> a(16, 1.0f), b(8, 2.0f);
  Result<std::string> header = build_safetensors_header(
      {{"a", SafetensorsDtype::kF32, {4, 4}, as_bytes(a)}, {"b", SafetensorsDtype::kF32, {8}, as_bytes(b)}},
      {{"format", "pt"}});
  ASSERT_TRUE(header.is_ok());
  std::vector<std::byte> valid(header->size() + 96);
  std::memcpy(valid.data(), header->data(), header->size());
  ASSERT_TRUE(parse_safetensors(valid).is_ok());
  std::mt19937_64 rng(42);
  int n_ok = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<std::byte> file = valid;
    const int n_flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < n_flips; ++i) file[rng() % header->size()] = std::byte(rng() & 0xff);
    if (rng() % 8 == 0) file.resize(rng() % file.size());
    Result<SafetensorsContents> r = parse_safetensors(file);
    if (r.is_ok()) {
      ++n_ok;
      for (const auto& [name, view] : r->tensors) {
        EXPECT_GE(view.data.data(), file.data());
        EXPECT_LE(view.data.data() + view.data.size(), file.data() + file.size());
      }
    } else {
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    }
  }
  EXPECT_LT(n_ok, 3000);
}

class ShardedCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(write_safetensors(dir_.path() / "model-00001-of-00002.safetensors",
                                  {{"a", SafetensorsDtype::kF32, {2}, as_bytes(a_)}})
                    .is_ok());
    ASSERT_TRUE(write_safetensors(dir_.path() / "model-00002-of-00002.safetensors",
                                  {{"b", SafetensorsDtype::kF32, {3}, as_bytes(b_)}})
                    .is_ok());
  }
  void write_index(const std::string& weight_map) {
    std::ofstream(dir_.path() / "model.safetensors.index.json")
        << R"({"metadata": {"total_size": 20}, "weight_map": )" << weight_map << "}";
  }
  TempDir dir_;
  std::vector<float> a_ = {1, 2}, b_ = {3, 4, 5};
};

TEST_F(ShardedCheckpointTest, ReadsEveryShardOfTheIndex) {
  write_index(R"({"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"})");
  Result<SafetensorsReader> reader = SafetensorsReader::open_dir(dir_.path());
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
  ASSERT_NE(reader->find("a"), nullptr);
  ASSERT_NE(reader->find("b"), nullptr);
  EXPECT_EQ(std::memcmp(reader->find("b")->data.data(), b_.data(), 12), 0);
}

TEST_F(ShardedCheckpointTest, RefusesShardHoldingUnlistedTensor) {
  write_index(R"({"a": "model-00001-of-00002.safetensors", "c": "model-00002-of-00002.safetensors"})");
  Result<SafetensorsReader> reader = SafetensorsReader::open_dir(dir_.path());
  ASSERT_FALSE(reader.is_ok());
  EXPECT_NE(reader.status().message().find("'b'"), std::string::npos) << reader.status().to_string();
}

TEST_F(ShardedCheckpointTest, RefusesShardNameOutsideTheDirectory) {
  write_index(R"({"a": "../model-00001-of-00002.safetensors"})");
  Result<SafetensorsReader> reader = SafetensorsReader::open_dir(dir_.path());
  ASSERT_FALSE(reader.is_ok());
  EXPECT_NE(reader.status().message().find("does not name a file"), std::string::npos);
}

TEST(SafetensorsReader, ReportsNotFoundWithoutWeights) {
  TempDir dir;
  EXPECT_EQ(SafetensorsReader::open_dir(dir.path()).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace bahed::encoder
