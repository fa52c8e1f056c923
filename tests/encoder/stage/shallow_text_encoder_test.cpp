#include "encoder/shallow_text_encoder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/encoder/llm/tiny_model.h"

namespace bahed::encoder {
namespace {

// A real vocabulary (llama.cpp's llama-spm test file, fetched by
// ops/prepare_data.sh) in front of a tiny random model of that vocabulary size.
class ShallowTextEncoderTest : public ::testing::Test {
 protected:
  static std::unique_ptr<Tokenizer> tokenizer() {
    const std::string path = std::string(BAHED_TEST_DATA_DIR) + "/npm/llama-vocab/ggml-vocab-llama-spm.gguf";
    auto t = load_gguf_tokenizer(path);
    EXPECT_TRUE(t.is_ok()) << path << ": " << t.status().to_string() << " (run ops/prepare_data.sh)";
    return std::move(t).value();
  }
  static LlamaModel model(int64_t n_vocab, int64_t n_layers_shallow = 2, uint64_t seed = 3) {
    ModelConfig config = llm_test::tiny_llama_config();
    config.n_vocab = n_vocab;
    LlamaModel m(config, llm_test::tiny_options(n_layers_shallow));
    llm_test::randomize_parameters(m, seed);
    return m;
  }
  static std::unique_ptr<ShallowTextEncoder> make(ShallowEncoderOptions options = {}, uint64_t seed = 3) {
    auto t = tokenizer();
    const int64_t n_vocab = t->vocab_size();
    auto e = ShallowTextEncoder::create(model(n_vocab, 2, seed), std::move(t), /*tokenizer_fingerprint=*/11, options);
    EXPECT_TRUE(e.is_ok()) << e.status().to_string();
    return std::move(e).value();
  }
  static std::vector<float> row(const std::vector<float>& all, size_t i, size_t dim) {
    return {all.begin() + static_cast<ptrdiff_t>(i * dim), all.begin() + static_cast<ptrdiff_t>((i + 1) * dim)};
  }
};

TEST_F(ShallowTextEncoderTest, EqualsTheModelsShallowPassForOneText) {
  auto encoder = make();
  const std::string text = "clicked: Heat (1995) | Action, Crime, Thriller";
  auto out = encoder->encode(std::vector<std::string>{text});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EncodeOptions eo;
  eo.add_bos = encoder->tokenizer().adds_bos_by_default();
  eo.parse_special = false;
  const auto ids = encoder->tokenizer().encode(text, eo);
  auto token_ids = torch::tensor(std::vector<int64_t>(ids.begin(), ids.end())).unsqueeze(0);
  torch::NoGradGuard no_grad;
  LlamaModel model = encoder->model();  // a holder: shares the module
  auto reference = model->shallow(token_ids, torch::tensor({static_cast<int64_t>(ids.size())}));
  ASSERT_EQ(out->size(), static_cast<size_t>(reference.size(1)));
  for (size_t d = 0; d < out->size(); ++d) EXPECT_NEAR((*out)[d], reference[0][static_cast<int64_t>(d)].item<float>(), 1e-5);
}

TEST_F(ShallowTextEncoderTest, GivesTheSameVectorWhateverTheBatchAndWorkers) {
  ShallowEncoderOptions small;
  small.batch_tokens = 64;  // many batches
  ShallowEncoderOptions parallel = small;
  parallel.n_workers = 2;
  auto alone = make();
  auto batched = make(small);
  auto threaded = make(parallel);
  std::vector<std::string> texts;
  for (int i = 0; i < 40; ++i) texts.push_back("searched: movie number " + std::to_string(i * 7919) + std::string(i % 5, '!'));
  const auto all = batched->encode(texts).value();
  const auto all_threaded = threaded->encode(texts).value();
  const size_t dim = batched->dimension();
  EXPECT_GT(batched->counters().batches.load(), 3u);
  for (size_t i : {size_t{0}, size_t{13}, size_t{39}}) {
    const auto one = alone->encode(std::vector<std::string>{texts[i]}).value();
    const auto a = row(all, i, dim);
    const auto b = row(all_threaded, i, dim);
    for (size_t d = 0; d < dim; ++d) {
      EXPECT_NEAR(a[d], one[d], 1e-4) << "text " << i;
      EXPECT_NEAR(b[d], one[d], 1e-4) << "text " << i;
    }
  }
  EXPECT_EQ(threaded->counters().texts.load(), texts.size());
}

TEST_F(ShallowTextEncoderTest, TruncatesLongTextsAtTheTokenLimitAndCountsThem) {
  ShallowEncoderOptions options;
  options.max_tokens = 8;
  auto encoder = make(options);
  std::string long_text;
  for (int i = 0; i < 50; ++i) long_text += "word" + std::to_string(i) + " ";
  auto out = encoder->encode(std::vector<std::string>{long_text, "short"});
  ASSERT_TRUE(out.is_ok());
  EXPECT_EQ(encoder->counters().truncated.load(), 1u);
  EXPECT_LE(encoder->counters().padded_tokens.load(), 16u);
}

TEST_F(ShallowTextEncoderTest, FingerprintFollowsShallowWeightsAndTokenLimitButNotDeepWeights) {
  auto base = make();
  auto same = make();
  EXPECT_EQ(base->fingerprint(), same->fingerprint());
  ShallowEncoderOptions options;
  options.max_tokens = 32;
  EXPECT_NE(make(options)->fingerprint(), base->fingerprint());
  EXPECT_NE(make({}, /*seed=*/4)->fingerprint(), base->fingerprint());

  auto t = tokenizer();
  const int64_t n_vocab = t->vocab_size();
  LlamaModel m = model(n_vocab);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : m->deep_parameters()) p.add_(1.0);
  }
  auto deep_changed = ShallowTextEncoder::create(std::move(m), std::move(t), 11, {}).value();
  EXPECT_EQ(deep_changed->fingerprint(), base->fingerprint());
}

TEST_F(ShallowTextEncoderTest, RefusesATokenLimitBeyondTheModelsPositions) {
  ShallowEncoderOptions options;
  options.max_tokens = 100000;
  options.batch_tokens = 100000;
  auto t = tokenizer();
  const int64_t n_vocab = t->vocab_size();
  auto e = ShallowTextEncoder::create(model(n_vocab), std::move(t), 11, options);
  ASSERT_FALSE(e.is_ok());
  EXPECT_NE(e.status().message().find("max_position_embeddings"), std::string::npos);
}

}  // namespace
}  // namespace bahed::encoder
