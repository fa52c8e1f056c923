#pragma once
// Reads llama.cpp's tokenizer test vectors (models/ggml-vocab-<name>.gguf.inp
// and .out, fetched by ops/fetch_llama_vocab.sh) for the tokenizer tests.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace bahed::encoder {

// Where ops/fetch_llama_vocab.sh puts the vectors.
inline std::filesystem::path vocab_dir() { return std::filesystem::path(BAHED_TEST_DATA_DIR) / "npm" / "llama-vocab"; }

struct TestVector {
  std::string input;
  std::vector<int32_t> expected;
};

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Parses a .inp/.out pair the way test-tokenizer-0.cpp does.
inline std::vector<TestVector> read_vectors(const std::string& vocab) {
  const std::filesystem::path gguf = vocab_dir() / ("ggml-vocab-" + vocab + ".gguf");
  const std::string inp = read_file(gguf.string() + ".inp");
  const std::string out = read_file(gguf.string() + ".out");
  const std::string separator = "\n__ggml_vocab_test__\n";
  std::vector<std::string> inputs;
  for (size_t pos = 0; pos < inp.size();) {
    const size_t next = inp.find(separator, pos);
    if (next == std::string::npos) {
      inputs.push_back(inp.substr(pos));
      break;
    }
    inputs.push_back(inp.substr(pos, next - pos));
    pos = next + separator.size();
  }
  std::vector<TestVector> vectors;
  std::istringstream lines(out);
  std::string line;
  for (size_t i = 0; std::getline(lines, line); ++i) {
    TestVector v;
    v.input = i < inputs.size() ? inputs[i] : std::string();
    std::istringstream ids(line);
    for (int32_t id = 0; ids >> id;) v.expected.push_back(id);
    vectors.push_back(std::move(v));
  }
  EXPECT_EQ(vectors.size(), inputs.size()) << vocab << ": .inp and .out disagree on the number of tests";
  return vectors;
}

// The GGUF of a vocabulary, or a test failure telling how to fetch it.
inline std::filesystem::path vocab_path(const std::string& vocab) {
  const std::filesystem::path gguf = vocab_dir() / ("ggml-vocab-" + vocab + ".gguf");
  if (!std::filesystem::exists(gguf) || !std::filesystem::exists(gguf.string() + ".out")) {
    ADD_FAILURE() << gguf << " is missing; run ops/fetch_llama_vocab.sh to fetch llama.cpp's test vectors";
  }
  return gguf;
}

}  // namespace bahed::encoder
