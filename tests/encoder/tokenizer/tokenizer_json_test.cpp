// The tokenizer.json path against llama.cpp's published vectors: each GGUF
// vocabulary is written out as a Hugging Face tokenizer.json carrying the
// pre-tokenizer regex of the model's original tokenizer.json (with its
// "(?i:...)" group, which llama.cpp rewrites), ignore_merges and NFC as the
// originals set them, then loaded through load_tokenizer.
#include "encoder/tokenizer/tokenizer_json.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/json_writer.h"
#include "encoder/tokenizer/byte_tokenizer_json.h"
#include "encoder/tokenizer/gguf_reader.h"
#include "encoder/tokenizer/tokenizer.h"
#include "tests/encoder/tokenizer/llama_vocab_vectors.h"

namespace bahed::encoder {
namespace {

namespace fs = std::filesystem;

// llama.cpp's token types: CONTROL and USER_DEFINED become added tokens.
constexpr int64_t kControl = 3;
constexpr int64_t kUserDefined = 4;

std::string json_quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string to_tokenizer_json(const GgufMetadata& gguf, const std::string& regex, bool ignore_merges, bool nfc) {
  const auto& tokens = *gguf.string_array("tokenizer.ggml.tokens");
  const auto& types = *gguf.integer_array("tokenizer.ggml.token_type");
  const auto& merges = *gguf.string_array("tokenizer.ggml.merges");
  std::string added = "[";
  std::string vocab = "{";
  for (size_t id = 0; id < tokens.size(); ++id) {
    if (types[id] == kControl || types[id] == kUserDefined) {
      if (added.size() > 1) added += ",";
      added += "{\"id\":" + std::to_string(id) + ",\"content\":" + json_quoted(tokens[id]) +
               ",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":" +
               (types[id] == kControl ? "true" : "false") + "}";
    } else {
      if (vocab.size() > 1) vocab += ",";
      vocab += json_quoted(tokens[id]) + ":" + std::to_string(id);
    }
  }
  std::string merge_list = "[";
  for (const std::string& merge : merges) {
    if (merge_list.size() > 1) merge_list += ",";
    merge_list += json_quoted(merge);
  }
  // An empty regex stands for GPT-2's form: ByteLevel with its built-in regex.
  const std::string pre_tokenizer =
      regex.empty()
          ? "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true}"
          : "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Split\",\"pattern\":{\"Regex\":" +
                json_quoted(regex) +
                "},\"behavior\":\"Isolated\",\"invert\":false},{\"type\":\"ByteLevel\",\"add_prefix_space\":"
                "false,\"trim_offsets\":false,\"use_regex\":false}]}";
  return "{\"version\":\"1.0\",\"added_tokens\":" + added + "],\"normalizer\":" +
         (nfc ? "{\"type\":\"NFC\"}" : "null") + ",\"pre_tokenizer\":" + pre_tokenizer +
         ",\"post_processor\":null,\"decoder\":{\"type\":\"ByteLevel\"},"
         "\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":null,\"continuing_subword_prefix\":\"\","
         "\"end_of_word_suffix\":\"\",\"fuse_unk\":false,\"byte_fallback\":false,\"ignore_merges\":" +
         (ignore_merges ? "true" : "false") + ",\"vocab\":" + vocab + "},\"merges\":" + merge_list + "]}}";
}

void expect_vectors_through_tokenizer_json(const std::string& vocab, const std::string& regex, bool ignore_merges,
                                           bool nfc) {
  auto gguf = GgufMetadata::read(vocab_path(vocab));
  ASSERT_TRUE(gguf.is_ok()) << gguf.status().to_string();
  std::string pattern = (fs::temp_directory_path() / "bahed_tokenizer_json_XXXXXX").string();
  const fs::path dir = mkdtemp(pattern.data());
  std::ofstream(dir / "tokenizer.json", std::ios::binary) << to_tokenizer_json(*gguf, regex, ignore_merges, nfc);
  auto tokenizer = load_tokenizer(dir);
  std::error_code ec;
  fs::remove_all(dir, ec);
  ASSERT_TRUE(tokenizer.is_ok()) << tokenizer.status().to_string();
  EncodeOptions options;
  options.parse_special = false;
  size_t n_ok = 0;
  const auto vectors = read_vectors(vocab);
  for (const TestVector& v : vectors) {
    const auto got = (*tokenizer)->encode(v.input, options);
    if (got == v.expected) ++n_ok;
    EXPECT_EQ(got, v.expected) << vocab << ": '" << v.input << "'";
    EXPECT_EQ((*tokenizer)->decode(got), v.input);
  }
  EXPECT_EQ(n_ok, vectors.size());
  EXPECT_GT(vectors.size(), 0u);
}

TEST(TokenizerJsonTest, Qwen2JsonMatchesPublishedVectors) {
  // Qwen2.5's tokenizer.json: NFC normalizer, this Split regex, no ignore_merges.
  expect_vectors_through_tokenizer_json(
      "qwen2",
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|"
      "\\s+(?!\\S)|\\s+",
      /*ignore_merges=*/false, /*nfc=*/true);
}

TEST(TokenizerJsonTest, Llama3JsonMatchesPublishedVectors) {
  // Llama 3's tokenizer.json: no normalizer, digits in threes, ignore_merges.
  expect_vectors_through_tokenizer_json(
      "llama-bpe",
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
      "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
      /*ignore_merges=*/true, /*nfc=*/false);
}

TEST(TokenizerJsonTest, Gpt2JsonMatchesPublishedVectors) {
  // GPT-2's tokenizer.json: a lone ByteLevel pre-tokenizer with use_regex.
  expect_vectors_through_tokenizer_json("gpt-2", /*regex=*/"", /*ignore_merges=*/false, /*nfc=*/false);
}

TEST(TokenizerJsonTest, ParsesTextLikeAFile) {
  auto json = parse_tokenizer_json(byte_tokenizer_json());
  ASSERT_TRUE(json.is_ok()) << json.status().to_string();
  EXPECT_EQ(json->config.vocab.size(), 256u);
  EXPECT_EQ(json->config.added_tokens.size(), 2u);
  auto broken = parse_tokenizer_json("{\"model\": ");
  ASSERT_FALSE(broken.is_ok());
  EXPECT_EQ(broken.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(broken.status().message().rfind("tokenizer.json: ", 0), 0u) << broken.status().message();
}

// A tiny byte-level tokenizer.json whose vocabulary is `vocab` (JSON object
// text) plus one added token with id `added_id`.
std::string sparse_tokenizer_json(const std::string& vocab, int64_t added_id) {
  return R"({"added_tokens":[{"id":)" + std::to_string(added_id) +
         R"(,"content":"<s>","special":true}],"pre_tokenizer":{"type":"ByteLevel"},"model":{"vocab":)" + vocab +
         R"(,"merges":[]}})";
}

// Found by tokenizer_load_fuzz: a 100-byte file naming id 16,777,215 made
// the loader size its id tables to 16.7 million entries (1.5 GB).
TEST(TokenizerJsonTest, RefusesIdsFarBeyondTheTokensListed) {
  struct Case {
    std::string vocab;
    int64_t added_id;
    std::string message;
  };
  const Case cases[] = {
      {R"({"a":16777215})", 1, "ids reach 16777215 but only 2 tokens are listed"},
      {R"({"a":0})", 16777215, "ids reach 16777215 but only 2 tokens are listed"},
      {R"({"a":0,"b":1})", 1030, "ids reach 1030 but only 3 tokens are listed"},  // 2 * 3 + 1024
  };
  for (const Case& c : cases) {
    auto json = parse_tokenizer_json(sparse_tokenizer_json(c.vocab, c.added_id));
    ASSERT_FALSE(json.is_ok()) << c.vocab << " " << c.added_id;
    EXPECT_EQ(json.status().code(), StatusCode::kCorruption);
    EXPECT_EQ(json.status().message(), "tokenizer.json: " + c.message);
  }
}

TEST(TokenizerJsonTest, AcceptsVocabulariesWithSomeHoles) {
  // Id 1 is a hole; the added token takes the last id 4 tokens may reach (2 * 4 + 1024 - 1).
  auto json = parse_tokenizer_json(sparse_tokenizer_json(R"({"a":0,"b":3,"c":2})", 1031));
  ASSERT_TRUE(json.is_ok()) << json.status().to_string();
  EXPECT_EQ(json->config.vocab.size(), 4u);
  EXPECT_TRUE(json->config.vocab[1].empty());
}

}  // namespace
}  // namespace bahed::encoder
