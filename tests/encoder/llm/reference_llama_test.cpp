// Compares LlamaModel's logits with reference_llama.py, an independent
// float64 implementation in Python (Debian's python3-torch). The test fails,
// never skips, when the reference cannot run: it is the check that bahed's
// math is Llama's math.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "encoder/llm/hf_checkpoint.h"
#include "tests/common/temp_dir.h"
#include "tests/encoder/llm/tiny_model.h"

namespace bahed::encoder {
namespace {

using namespace llm_test;
using bahed::testing::TempDir;

constexpr const char* kPython = "/usr/bin/python3";
constexpr double kMaxRelativeError = 1e-4;

// Runs the script; returns its exit status and combined output.
int run_reference(const std::filesystem::path& model_dir, const std::filesystem::path& input,
                  const std::filesystem::path& output, std::string* log) {
  const std::string script = std::string(BAHED_SOURCE_DIR) + "/tests/encoder/llm/reference_llama.py";
  const std::string cmd = std::string(kPython) + " '" + script + "' '" + model_dir.string() + "' '" +
                          input.string() + "' '" + output.string() + "' 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) *log += buf;
  return ::pclose(pipe);
}

// Max over real tokens of |ours - reference|, divided by max |reference|.
double compare_with_reference(const ModelConfig& config, uint64_t seed, const std::filesystem::path& dir) {
  LlamaModel model(config, tiny_options(1));
  randomize_parameters(model, seed);
  const auto model_dir = dir / "model";
  EXPECT_TRUE(save_hf_model(model, model_dir).is_ok());
  // Logits come from the reloaded model, so the file path is under test too.
  Result<LlamaModel> loaded = load_hf_model(model_dir, tiny_options(1));
  EXPECT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  if (!loaded.is_ok()) return 1.0;

  torch::manual_seed(seed + 1);
  const int64_t batch = 3, tokens = 11;
  const torch::Tensor ids = random_tokens(batch, tokens, config.n_vocab);
  const std::vector<int64_t> lengths = {11, 6, 1};
  std::ofstream input(dir / "input.json");
  input << "{\"token_ids\": [";
  for (int64_t b = 0; b < batch; ++b) {
    input << (b ? ",[" : "[");
    for (int64_t t = 0; t < tokens; ++t) input << (t ? "," : "") << ids[b][t].item<int64_t>();
    input << "]";
  }
  input << "], \"lengths\": [11, 6, 1]}";
  input.close();

  std::string log;
  const int rc = run_reference(model_dir, dir / "input.json", dir / "logits.bin", &log);
  EXPECT_EQ(rc, 0) << "reference_llama.py failed; it needs Debian's python3-torch and python3-numpy "
                   << "(apt-get install -y python3-torch python3-numpy):\n"
                   << log;
  if (rc != 0) return 1.0;

  const torch::Tensor ours =
      loaded.value()->forward_tokens(ids, torch::tensor(lengths, torch::kInt64)).detach().contiguous();
  std::ifstream in(dir / "logits.bin", std::ios::binary);
  torch::Tensor ref = torch::empty({batch, tokens, config.n_vocab}, torch::kFloat32);
  in.read(static_cast<char*>(ref.data_ptr()), static_cast<std::streamsize>(ref.numel() * 4));
  EXPECT_EQ(in.gcount(), ref.numel() * 4) << "short reference output";
  double max_diff = 0.0, max_ref = 0.0;
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t n = lengths[static_cast<size_t>(b)];
    max_diff = std::max(max_diff, (ours[b].narrow(0, 0, n) - ref[b].narrow(0, 0, n)).abs().max().item<double>());
    max_ref = std::max(max_ref, ref[b].narrow(0, 0, n).abs().max().item<double>());
  }
  EXPECT_GT(max_ref, 0.1) << "reference logits are degenerate";
  return max_diff / max_ref;
}

void expect_matches_reference(const ModelConfig& config, uint64_t seed, const char* what) {
  TempDir tmp;
  const double rel = compare_with_reference(config, seed, tmp.path());
  std::printf("[ reference ] %s: max relative error %.3g\n", what, rel);
  ::testing::Test::RecordProperty("max_relative_error", std::to_string(rel));
  EXPECT_LT(rel, kMaxRelativeError) << what;
}

TEST(ReferenceLlama, MatchesLlamaWithGqaAndLlama3RopeScaling) {
  expect_matches_reference(tiny_llama_config(), 41, "llama (GQA 2, llama3 rope, untied)");
}

TEST(ReferenceLlama, MatchesQwen2WithBiasesAndTiedEmbeddings) {
  expect_matches_reference(tiny_qwen2_config(), 42, "qwen2 (q/k/v biases, GQA 4, tied)");
}

TEST(ReferenceLlama, MatchesLlamaWithAllBiasesExplicitHeadDimAndLinearRope) {
  expect_matches_reference(tiny_biased_llama_config(), 43, "llama (all biases, head_dim 8, linear rope)");
}

}  // namespace
}  // namespace bahed::encoder
