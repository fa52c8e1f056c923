// GgufMetadata on small GGUF files written here: typed values come back, and
// truncated or lying files fail with Corruption instead of crashing or
// allocating what their counts claim.
#include "encoder/tokenizer/gguf_reader.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "encoder/tokenizer/tokenizer.h"

namespace bahed::encoder {
namespace {

namespace fs = std::filesystem;

// Little-endian GGUF v3 writer for tests.
class GgufBuilder {
 public:
  GgufBuilder& string(const std::string& key, const std::string& value) {
    header(key, GgufType::kString);
    put_string(value);
    ++n_kv_;
    return *this;
  }
  GgufBuilder& u32(const std::string& key, uint32_t value) {
    header(key, GgufType::kUint32);
    put(value);
    ++n_kv_;
    return *this;
  }
  GgufBuilder& boolean(const std::string& key, bool value) {
    header(key, GgufType::kBool);
    put(static_cast<uint8_t>(value));
    ++n_kv_;
    return *this;
  }
  GgufBuilder& f32(const std::string& key, float value) {
    header(key, GgufType::kFloat32);
    put(value);
    ++n_kv_;
    return *this;
  }
  GgufBuilder& strings(const std::string& key, const std::vector<std::string>& values, uint64_t claimed_count = 0) {
    header(key, GgufType::kArray);
    put(static_cast<uint32_t>(GgufType::kString));
    put(claimed_count ? claimed_count : static_cast<uint64_t>(values.size()));
    for (const auto& v : values) put_string(v);
    ++n_kv_;
    return *this;
  }
  GgufBuilder& i32s(const std::string& key, const std::vector<int32_t>& values) {
    header(key, GgufType::kArray);
    put(static_cast<uint32_t>(GgufType::kInt32));
    put(static_cast<uint64_t>(values.size()));
    for (int32_t v : values) put(v);
    ++n_kv_;
    return *this;
  }
  std::string bytes() const {
    std::string out = "GGUF";
    append(out, uint32_t{3});
    append(out, uint64_t{0});  // tensors
    append(out, n_kv_);
    return out + body_;
  }

 private:
  template <typename T>
  static void append(std::string& out, T value) {
    char raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T));
    out.append(raw, sizeof(T));
  }
  template <typename T>
  void put(T value) {
    append(body_, value);
  }
  void put_string(const std::string& s) {
    put(static_cast<uint64_t>(s.size()));
    body_ += s;
  }
  void header(const std::string& key, GgufType type) {
    put_string(key);
    put(static_cast<uint32_t>(type));
  }
  std::string body_;
  uint64_t n_kv_ = 0;
};

class GgufReaderTest : public ::testing::Test {
 protected:
  GgufReaderTest() {
    std::string pattern = (fs::temp_directory_path() / "bahed_gguf_test_XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
  }
  ~GgufReaderTest() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path write(const std::string& bytes) {
    const fs::path path = dir_ / ("f" + std::to_string(n_files_++) + ".gguf");
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  fs::path dir_;
  int n_files_ = 0;
};

TEST_F(GgufReaderTest, ReadsTypedValues) {
  const std::string bytes = GgufBuilder()
                                .string("tokenizer.ggml.model", "gpt2")
                                .u32("tokenizer.ggml.bos_token_id", 7)
                                .boolean("tokenizer.ggml.add_bos_token", true)
                                .f32("some.float", 0.5f)
                                .strings("tokenizer.ggml.tokens", {"a", "b", "ab"})
                                .i32s("tokenizer.ggml.token_type", {1, 1, 3})
                                .bytes();
  auto gguf = GgufMetadata::read(write(bytes));
  ASSERT_TRUE(gguf.is_ok()) << gguf.status().to_string();
  EXPECT_EQ(gguf->version(), 3u);
  EXPECT_EQ(gguf->n_keys(), 6u);
  EXPECT_EQ(gguf->string_value("tokenizer.ggml.model"), "gpt2");
  EXPECT_EQ(gguf->integer_value("tokenizer.ggml.bos_token_id"), 7);
  EXPECT_EQ(gguf->bool_value("tokenizer.ggml.add_bos_token"), true);
  ASSERT_NE(gguf->string_array("tokenizer.ggml.tokens"), nullptr);
  EXPECT_EQ(*gguf->string_array("tokenizer.ggml.tokens"), (std::vector<std::string>{"a", "b", "ab"}));
  ASSERT_NE(gguf->integer_array("tokenizer.ggml.token_type"), nullptr);
  EXPECT_EQ(*gguf->integer_array("tokenizer.ggml.token_type"), (std::vector<int64_t>{1, 1, 3}));
  EXPECT_EQ(gguf->string_array("tokenizer.ggml.token_type"), nullptr);  // wrong kind
  EXPECT_FALSE(gguf->string_value("missing").has_value());
}

TEST_F(GgufReaderTest, EveryTruncationIsCorruption) {
  const std::string bytes = GgufBuilder()
                                .string("tokenizer.ggml.model", "gpt2")
                                .strings("tokenizer.ggml.tokens", {"a", "b", "ab"})
                                .i32s("tokenizer.ggml.token_type", {1, 1, 3})
                                .bytes();
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto gguf = GgufMetadata::read(write(bytes.substr(0, n)));
    ASSERT_FALSE(gguf.is_ok()) << "prefix of " << n << " bytes";
    EXPECT_EQ(gguf.status().code(), StatusCode::kCorruption) << n << ": " << gguf.status().to_string();
  }
}

TEST_F(GgufReaderTest, ArrayCountBeyondTheFileIsCorruption) {
  // Claims 2^60 strings: must fail on the count, not try to allocate them.
  const std::string bytes = GgufBuilder().strings("tokenizer.ggml.tokens", {"a"}, uint64_t{1} << 60).bytes();
  auto gguf = GgufMetadata::read(write(bytes));
  ASSERT_FALSE(gguf.is_ok());
  EXPECT_EQ(gguf.status().code(), StatusCode::kCorruption);
}

TEST_F(GgufReaderTest, BadMagicIsCorruptionAndMissingFileIsNotFound) {
  auto bad = GgufMetadata::read(write("GGML and then some bytes to read"));
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
  auto missing = GgufMetadata::read(dir_ / "nope.gguf");
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST_F(GgufReaderTest, UnknownTokenizerModelIsRefusedByName) {
  const std::string bytes = GgufBuilder().string("tokenizer.ggml.model", "bert").bytes();
  auto tokenizer = load_gguf_tokenizer(write(bytes));
  ASSERT_FALSE(tokenizer.is_ok());
  EXPECT_EQ(tokenizer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(tokenizer.status().message().find("'bert'"), std::string::npos) << tokenizer.status().message();
}

}  // namespace
}  // namespace bahed::encoder
