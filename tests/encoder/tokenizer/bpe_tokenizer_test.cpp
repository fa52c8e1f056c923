// BpeTokenizer built from hand-written tokenizer.json files: both merge
// spellings, added and special tokens, NFC, and load_tokenizer's choice of
// file and BOS/EOS sources.
#include "encoder/tokenizer/bpe_tokenizer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "encoder/tokenizer/byte_level.h"
#include "encoder/tokenizer/tokenizer.h"
#include "tests/common/temp_dir.h"

namespace bahed::encoder {
namespace {

namespace fs = std::filesystem;

using bahed::testing::TempDir;

// Byte-level spellings: "Ġ" is the space, "Ã©" is é (C3 A9).
constexpr const char* kVocab = R"({"h": 0, "e": 1, "l": 2, "o": 3, "Ġ": 4, "w": 5, "r": 6, "d": 7,
  "he": 8, "ll": 9, "hell": 10, "hello": 11, "Ġw": 12, "or": 13, "Ġwor": 14, "Ġworld": 15,
  "Ã": 16, "©": 17, "Ã©": 18, "!": 19})";

std::string tokenizer_json(const std::string& merges, const std::string& normalizer = "null") {
  return std::string(R"({"version": "1.0", "added_tokens": [
      {"id": 20, "content": "<s>", "special": true, "single_word": false, "lstrip": false, "rstrip": false, "normalized": false},
      {"id": 21, "content": "</s>", "special": true, "single_word": false, "lstrip": false, "rstrip": false, "normalized": false},
      {"id": 22, "content": "<tool>", "special": false, "single_word": false, "lstrip": false, "rstrip": false, "normalized": false}],
    "normalizer": )") +
         normalizer + R"(,
    "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
      {"type": "Split", "pattern": {"Regex": "[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s+(?!\\S)|\\s+"},
       "behavior": "Isolated", "invert": false},
      {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}]},
    "post_processor": null,
    "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
    "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": "",
      "end_of_word_suffix": "", "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
      "vocab": )" + kVocab + R"(, "merges": )" + merges + "}}";
}

constexpr const char* kStringMerges = R"(["h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or", "Ġwor l", "Ã ©"])";
constexpr const char* kPairMerges =
    R"([["h", "e"], ["l", "l"], ["he", "ll"], ["hell", "o"], ["Ġ", "w"], ["o", "r"], ["Ġw", "or"], ["Ġwor", "l"], ["Ã", "©"]])";

std::unique_ptr<Tokenizer> load(const TempDir& dir) {
  auto tokenizer = load_tokenizer(dir.path());
  EXPECT_TRUE(tokenizer.is_ok()) << tokenizer.status().to_string();
  return tokenizer ? std::move(tokenizer).value() : nullptr;
}

TEST(BpeTokenizerTest, EncodesAndDecodesWithStringMerges) {
  TempDir dir;
  dir.write("tokenizer.json", tokenizer_json(kStringMerges));
  auto tokenizer = load(dir);
  ASSERT_TRUE(tokenizer);
  // "Ġwor l" has no "Ġworl" in the vocabulary, so it never fires; "Ġworld"
  // stays "Ġwor" + "l" + "d".
  EXPECT_EQ(tokenizer->encode("hello world", false), (std::vector<int32_t>{11, 14, 2, 7}));
  EXPECT_EQ(tokenizer->decode(tokenizer->encode("hello world", false)), "hello world");
  EXPECT_EQ(tokenizer->vocab_size(), 23);
  EXPECT_EQ(tokenizer->token_to_id("Ġwor"), 14);
  EXPECT_EQ(tokenizer->id_to_token(11), "hello");
  EXPECT_FALSE(tokenizer->token_to_id("nope").has_value());
}

TEST(BpeTokenizerTest, PairMergesEncodeLikeStringMerges) {
  TempDir strings_dir;
  TempDir pairs_dir;
  strings_dir.write("tokenizer.json", tokenizer_json(kStringMerges));
  pairs_dir.write("tokenizer.json", tokenizer_json(kPairMerges));
  auto a = load(strings_dir);
  auto b = load(pairs_dir);
  ASSERT_TRUE(a && b);
  for (const char* text : {"hello world", "hello  hello world!", "ol eh", ""}) {
    EXPECT_EQ(a->encode(text, false), b->encode(text, false)) << text;
    EXPECT_EQ(b->decode(b->encode(text, false)), text);
  }
}

TEST(BpeTokenizerTest, SplitsAddedTokensAndSpecialOnlyWhenAsked) {
  TempDir dir;
  dir.write("tokenizer.json", tokenizer_json(kStringMerges));
  auto tokenizer = load(dir);
  ASSERT_TRUE(tokenizer);
  EncodeOptions options;
  EXPECT_EQ(tokenizer->encode("<s>hello<tool>", options), (std::vector<int32_t>{20, 11, 22}));
  options.parse_special = false;
  // "<s>" is now text: '<', 's', '>' are not in the toy vocabulary and drop
  // out, but the plain added token is still recognised.
  EXPECT_EQ(tokenizer->encode("<s>hello<tool>", options), (std::vector<int32_t>{11, 22}));
  // Special tokens are left out of decoded text; plain added tokens are not.
  EXPECT_EQ(tokenizer->decode({20, 11, 22, 21}), "hello<tool>");
}

// With ignore_merges a pre-token found whole is emitted as is, but only from
// the model's vocabulary: an added special token spelled like the text (here
// "!!", outside the vocabulary) is matched only with parse_special, as in
// Hugging Face, where added tokens sit outside the BPE model.
TEST(BpeTokenizerTest, IgnoreMergesNeverTurnsTextIntoAnAddedToken) {
  std::string json = tokenizer_json(kStringMerges);
  auto replace = [&](const std::string& from, const std::string& to) {
    const size_t at = json.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    json.replace(at, from.size(), to);
  };
  replace(R"("ignore_merges": false)", R"("ignore_merges": true)");
  replace(R"("added_tokens": [)", R"("added_tokens": [
      {"id": 23, "content": "!!", "special": true, "single_word": false, "lstrip": false, "rstrip": false, "normalized": false},)");
  TempDir dir;
  dir.write("tokenizer.json", json);
  auto tokenizer = load(dir);
  ASSERT_TRUE(tokenizer);
  EncodeOptions options;
  options.parse_special = false;
  EXPECT_EQ(tokenizer->encode("hello!!", options), (std::vector<int32_t>{11, 19, 19}));
  // Whole pre-tokens of the vocabulary still skip the merges ("hello" is
  // one token either way; "hell" + "o" would need the merges).
  EXPECT_EQ(tokenizer->encode("hello world", options), (std::vector<int32_t>{11, 15}));
  options.parse_special = true;
  EXPECT_EQ(tokenizer->encode("hello!!", options), (std::vector<int32_t>{11, 23}));
  EXPECT_EQ(tokenizer->token_to_id("!!"), 23);
  EXPECT_EQ(tokenizer->vocab_size(), 24);
}

TEST(BpeTokenizerTest, AppliesNfcWhenTheNormalizerSaysSo) {
  TempDir nfc_dir;
  TempDir raw_dir;
  nfc_dir.write("tokenizer.json", tokenizer_json(kStringMerges, R"({"type": "NFC"})"));
  raw_dir.write("tokenizer.json", tokenizer_json(kStringMerges));
  auto nfc = load(nfc_dir);
  auto raw = load(raw_dir);
  ASSERT_TRUE(nfc && raw);
  const std::string decomposed = "e\xCC\x81";  // e + COMBINING ACUTE ACCENT
  EXPECT_EQ(nfc->encode(decomposed, false), (std::vector<int32_t>{18}));
  EXPECT_EQ(nfc->encode("\xC3\xA9", false), (std::vector<int32_t>{18}));
  EXPECT_EQ(raw->encode(decomposed, false), (std::vector<int32_t>{1}));  // the accent's bytes are not in the vocab
}

TEST(BpeTokenizerTest, ReadsBosAndEosFromTokenizerConfig) {
  TempDir dir;
  dir.write("tokenizer.json", tokenizer_json(kStringMerges));
  dir.write("tokenizer_config.json", R"({"bos_token": "<s>", "eos_token": {"content": "</s>"}, "add_bos_token": true})");
  auto tokenizer = load(dir);
  ASSERT_TRUE(tokenizer);
  EXPECT_EQ(tokenizer->bos_id(), 20);
  EXPECT_EQ(tokenizer->eos_id(), 21);
  EXPECT_TRUE(tokenizer->adds_bos_by_default());
  EXPECT_EQ(tokenizer->encode("hello", true), (std::vector<int32_t>{20, 11}));
}

TEST(BpeTokenizerTest, FallsBackToConfigJsonIds) {
  TempDir dir;
  dir.write("tokenizer.json", tokenizer_json(kStringMerges));
  dir.write("config.json", R"({"bos_token_id": 20, "eos_token_id": [21, 22]})");
  auto tokenizer = load(dir);
  ASSERT_TRUE(tokenizer);
  EXPECT_EQ(tokenizer->bos_id(), 20);
  EXPECT_EQ(tokenizer->eos_id(), 21);
  EXPECT_FALSE(tokenizer->adds_bos_by_default());
}

TEST(BpeTokenizerTest, RefusesUnsupportedFeaturesByName) {
  TempDir dir;
  dir.write("tokenizer.json", tokenizer_json(kStringMerges, R"({"type": "NFKC"})"));
  auto tokenizer = load_tokenizer(dir.path());
  ASSERT_FALSE(tokenizer.is_ok());
  EXPECT_EQ(tokenizer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(tokenizer.status().message().find("NFKC"), std::string::npos) << tokenizer.status().message();
}

TEST(BpeTokenizerTest, RefusesNonByteLevelJsonWithoutSentencePieceModel) {
  TempDir dir;
  dir.write("tokenizer.json", R"({"normalizer": null, "pre_tokenizer": {"type": "Metaspace"},
                                  "model": {"type": "BPE", "vocab": {}, "merges": []}})");
  auto tokenizer = load_tokenizer(dir.path());
  ASSERT_FALSE(tokenizer.is_ok());
  EXPECT_EQ(tokenizer.status().code(), StatusCode::kInvalidArgument);
}

TEST(BpeTokenizerTest, ReportsMissingFilesAsNotFound) {
  TempDir dir;
  auto tokenizer = load_tokenizer(dir.path());
  ASSERT_FALSE(tokenizer.is_ok());
  EXPECT_EQ(tokenizer.status().code(), StatusCode::kNotFound);
}

TEST(BpeTokenizerTest, ReportsBrokenJsonAsCorruption) {
  TempDir dir;
  dir.write("tokenizer.json", "{\"model\": ");
  auto tokenizer = load_tokenizer(dir.path());
  ASSERT_FALSE(tokenizer.is_ok());
  EXPECT_EQ(tokenizer.status().code(), StatusCode::kCorruption);
}

TEST(BpeTokenizerTest, ByteLevelRoundTripsArbitraryBytes) {
  // A full byte alphabet with no merges: every byte string survives.
  BpeTokenizerConfig config;
  for (int b = 0; b < 256; ++b) {
    config.vocab.push_back(byte_level_encode(std::string(1, static_cast<char>(b))));
  }
  config.split_rules.push_back(SplitRule{"\\s+|\\S+"});
  auto tokenizer = BpeTokenizer::create(std::move(config));
  ASSERT_TRUE(tokenizer.is_ok()) << tokenizer.status().to_string();
  std::string bytes;
  for (int b = 0; b < 256; ++b) bytes.push_back(static_cast<char>(b));
  const auto ids = (*tokenizer)->encode(bytes, false);
  EXPECT_EQ(ids.size(), 256u);
  EXPECT_EQ((*tokenizer)->decode(ids), bytes);
}

}  // namespace
}  // namespace bahed::encoder
