#include "encoder/llm/llama_model.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <set>
#include <string>

#include "encoder/llm/attention.h"
#include "encoder/llm/rotary_embedding.h"
#include "encoder/llm/weight_names.h"
#include "tests/encoder/llm/tiny_model.h"

namespace bahed::encoder {
namespace {

using namespace llm_test;

LlamaModel random_model(const ModelConfig& config, int64_t n_layers_shallow, uint64_t seed = 7) {
  LlamaModel model(config, tiny_options(n_layers_shallow));
  randomize_parameters(model, seed);
  return model;
}

torch::Tensor positions_like(const torch::Tensor& token_ids) {
  return torch::arange(token_ids.size(1), torch::kInt64).unsqueeze(0).expand({token_ids.size(0), token_ids.size(1)});
}

// Max |a - b| / max |b|: relative to the output's scale, robust to near-zero entries.
double rel_error(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>() / b.abs().max().item<double>();
}

TEST(LlamaModel, RegistersExactlyTheHuggingFaceNamesAndShapes) {
  for (const ModelConfig& config : {tiny_llama_config(), tiny_qwen2_config(), tiny_biased_llama_config()}) {
    LlamaModel model(config, tiny_options(1));
    std::map<std::string, std::vector<int64_t>> params;
    for (const auto& item : model->named_parameters()) params[item.key()] = item.value().sizes().vec();
    std::map<std::string, std::vector<int64_t>> table;
    for (const WeightSpec& spec : expected_weights(config)) table[spec.name] = spec.shape;
    EXPECT_EQ(params, table) << model_arch_name(config.arch);
  }
}

TEST(LlamaModel, ForwardEqualsShallowThenDeepComposition) {
  torch::manual_seed(1);
  const torch::Tensor ids = random_tokens(3, 9, tiny_llama_config().n_vocab);
  const torch::Tensor lengths = torch::tensor({9, 5, 2}, torch::kInt64);
  for (int64_t n_shallow : {0, 2, 4}) {
    LlamaModel model = random_model(tiny_llama_config(), n_shallow);
    const torch::Tensor full = model->forward_tokens(ids, lengths);
    AttentionMask mask;
    mask.key_lengths = lengths;
    const torch::Tensor split = model->logits(model->deep(model->shallow_hidden(ids, lengths), positions_like(ids), mask));
    for (int64_t b = 0; b < 3; ++b) {
      const int64_t n = lengths[b].item<int64_t>();
      EXPECT_TRUE(torch::allclose(full[b].narrow(0, 0, n), split[b].narrow(0, 0, n), 1e-6, 1e-6))
          << "n_layers_shallow=" << n_shallow << " row " << b;
    }
  }
}

TEST(LlamaModel, BatchedEqualsOneByOne) {
  for (const ModelConfig& config : {tiny_llama_config(), tiny_qwen2_config()}) {
    LlamaModel model = random_model(config, 1);
    torch::manual_seed(2);
    const torch::Tensor ids = random_tokens(3, 7, config.n_vocab);
    const std::vector<int64_t> lens = {7, 4, 1};
    const torch::Tensor batched = model->forward_tokens(ids, torch::tensor(lens, torch::kInt64));
    for (int64_t b = 0; b < 3; ++b) {
      const int64_t n = lens[static_cast<size_t>(b)];
      const torch::Tensor alone =
          model->forward_tokens(ids[b].narrow(0, 0, n).unsqueeze(0), torch::tensor({n}, torch::kInt64))[0];
      EXPECT_LT(rel_error(batched[b].narrow(0, 0, n), alone), 1e-5) << model_arch_name(config.arch) << " row " << b;
    }
  }
}

TEST(LlamaModel, RightPaddingDoesNotChangeRealTokens) {
  LlamaModel model = random_model(tiny_llama_config(), 2);
  torch::manual_seed(3);
  const torch::Tensor real = random_tokens(1, 5, 97);
  const torch::Tensor padded = torch::cat({real, random_tokens(1, 6, 97)}, 1);
  const torch::Tensor len = torch::tensor({5}, torch::kInt64);
  const torch::Tensor a = model->forward_tokens(real, len)[0];
  const torch::Tensor b = model->forward_tokens(padded, len)[0].narrow(0, 0, 5);
  EXPECT_LT(rel_error(b, a), 1e-5);
  EXPECT_LT(rel_error(model->shallow(padded, len), model->shallow(real, len)), 1e-5);
}

TEST(LlamaModel, ShallowPoolsOverRealTokensOnly) {
  LlamaModel model = random_model(tiny_qwen2_config(), 2);
  torch::manual_seed(4);
  const torch::Tensor ids = random_tokens(2, 6, 71);
  const torch::Tensor lengths = torch::tensor({6, 3}, torch::kInt64);
  const torch::Tensor hidden = model->shallow_hidden(ids, lengths);
  const torch::Tensor pooled = model->shallow(ids, lengths);
  ASSERT_EQ(pooled.sizes(), (std::vector<int64_t>{2, 48}));
  EXPECT_TRUE(torch::allclose(pooled[0], hidden[0].mean(0), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(pooled[1], hidden[1].narrow(0, 0, 3).mean(0), 1e-5, 1e-6));

  LlmOptions last = tiny_options(2);
  last.pooling = Pooling::kLastToken;
  LlamaModel last_model(tiny_qwen2_config(), last);
  randomize_parameters(last_model, 7);
  const torch::Tensor last_pooled = last_model->shallow(ids, lengths);
  const torch::Tensor last_hidden = last_model->shallow_hidden(ids, lengths);
  EXPECT_TRUE(torch::equal(last_pooled[0], last_hidden[0][5]));
  EXPECT_TRUE(torch::equal(last_pooled[1], last_hidden[1][2]));
}

TEST(LlamaModel, TrainsOnlyDeepParameters) {
  LlamaModel model = random_model(tiny_llama_config(), 3);
  torch::manual_seed(5);
  const torch::Tensor ids = random_tokens(2, 4, 97);
  const torch::Tensor lengths = torch::tensor({4, 4}, torch::kInt64);
  const torch::Tensor behaviors = model->shallow(ids, lengths);
  EXPECT_FALSE(behaviors.requires_grad());
  const torch::Tensor seq = behaviors.unsqueeze(0);  // one user, two behaviors
  const torch::Tensor out = model->deep(seq, torch::tensor({{0, 1}}, torch::kInt64), AttentionMask{});
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{1, 2, 64}));
  out.pow(2).sum().backward();

  std::set<const void*> deep;
  for (const torch::Tensor& p : model->deep_parameters()) deep.insert(p.unsafeGetTensorImpl());
  size_t n_deep_expected = 0;
  for (const auto& item : model->named_parameters()) {
    const bool is_deep = item.key().rfind("model.layers.3.", 0) == 0 || item.key() == "model.norm.weight";
    n_deep_expected += is_deep ? 1 : 0;
    EXPECT_EQ(deep.count(item.value().unsafeGetTensorImpl()) == 1, is_deep) << item.key();
    EXPECT_EQ(item.value().grad().defined(), is_deep) << item.key();
  }
  EXPECT_EQ(deep.size(), n_deep_expected);
}

TEST(LlamaModel, RunsInBfloat16CloseToFloat32) {
  LlamaModel model = random_model(tiny_llama_config(), 1);
  torch::manual_seed(6);
  const torch::Tensor ids = random_tokens(2, 6, 97);
  const torch::Tensor lengths = torch::tensor({6, 4}, torch::kInt64);
  const torch::Tensor f32 = model->forward_tokens(ids, lengths)[0];
  model->to(torch::kBFloat16);
  ASSERT_EQ(model->dtype(), torch::kBFloat16);
  const torch::Tensor bf16 = model->forward_tokens(ids, lengths)[0];
  ASSERT_EQ(bf16.scalar_type(), torch::kBFloat16);
  EXPECT_LT(rel_error(bf16.to(torch::kFloat32), f32), 0.1);
}

TEST(LlamaModel, RefusesTokenIdsOutsideTheVocabulary) {
  LlamaModel model = random_model(tiny_qwen2_config(), 1);
  EXPECT_THROW(model->forward_tokens(torch::tensor({{1, 71}}, torch::kInt64), torch::tensor({2}, torch::kInt64)),
               c10::Error);
  EXPECT_THROW(model->forward_tokens(torch::tensor({{1, 2}}, torch::kInt64), torch::tensor({3}, torch::kInt64)),
               c10::Error);
}

TEST(Attention, BiasMaskMatchesCausalPaddingFastPath) {
  torch::manual_seed(8);
  const torch::Tensor q = torch::randn({2, 4, 5, 8});
  const torch::Tensor k = torch::randn({2, 2, 5, 8});
  const torch::Tensor v = torch::randn({2, 2, 5, 8});
  AttentionMask fast;
  fast.key_lengths = torch::tensor({5, 3}, torch::kInt64);
  // The same mask as an additive bias: -inf above the diagonal and on padding keys.
  torch::Tensor bias = torch::zeros({2, 1, 5, 5});
  bias.masked_fill_(torch::ones({5, 5}, torch::kBool).triu(1), -INFINITY);
  bias[1].narrow(-1, 3, 2).fill_(-INFINITY);
  AttentionMask slow;
  slow.causal = false;
  slow.bias = bias;
  EXPECT_TRUE(torch::allclose(grouped_query_attention(q, k, v, fast), grouped_query_attention(q, k, v, slow), 1e-6,
                              1e-6));
}

TEST(Attention, GroupedQueryEqualsRepeatedKeysAndValues) {
  torch::manual_seed(9);
  const torch::Tensor q = torch::randn({1, 6, 4, 8});
  const torch::Tensor k = torch::randn({1, 2, 4, 8});
  const torch::Tensor v = torch::randn({1, 2, 4, 8});
  AttentionMask mask;
  mask.bias = torch::randn({1, 6, 4, 4});  // per-head, like ALiBi slopes
  const torch::Tensor got = grouped_query_attention(q, k, v, mask);
  // Naive: head h uses kv head h / 3.
  const torch::Tensor k_rep = k.repeat_interleave(3, 1), v_rep = v.repeat_interleave(3, 1);
  torch::Tensor scores = torch::matmul(q, k_rep.transpose(-2, -1)) / std::sqrt(8.0) + mask.bias;
  scores = scores.masked_fill(torch::ones({4, 4}, torch::kBool).triu(1), -INFINITY);
  const torch::Tensor want = torch::matmul(torch::softmax(scores, -1), v_rep);
  EXPECT_TRUE(torch::allclose(got, want, 1e-5, 1e-6));
}

TEST(Attention, StaysFiniteWhenARowIsBlockedEverywhere) {
  torch::manual_seed(10);
  const torch::Tensor q = torch::randn({1, 2, 3, 4}), k = torch::randn({1, 2, 3, 4}), v = torch::randn({1, 2, 3, 4});
  AttentionMask mask;
  mask.causal = false;
  mask.bias = torch::zeros({1, 1, 3, 3});
  mask.bias[0][0][1].fill_(-INFINITY);
  EXPECT_TRUE(torch::isfinite(grouped_query_attention(q, k, v, mask)).all().item<bool>());
}

TEST(RotaryEmbedding, DeepOutputDependsOnlyOnRelativePositions) {
  LlamaModel model = random_model(tiny_llama_config(), 1);
  torch::manual_seed(11);
  const torch::Tensor hidden = torch::randn({1, 6, 64});
  const torch::Tensor pos = torch::tensor({{0, 1, 2, 5, 6, 9}}, torch::kInt64);
  const torch::Tensor a = model->deep(hidden, pos, AttentionMask{});
  const torch::Tensor b = model->deep(hidden, pos + 1000, AttentionMask{});
  EXPECT_LT(rel_error(b, a), 1e-4);
  const torch::Tensor c = model->deep(hidden, torch::tensor({{0, 1, 2, 3, 4, 5}}, torch::kInt64), AttentionMask{});
  EXPECT_GT(rel_error(c, a), 1e-3);  // positions matter
}

TEST(RotaryEmbedding, Llama3ScalingKeepsHighAndDividesLowFrequencies) {
  ModelConfig plain = tiny_llama_config();
  plain.rope_scaling = {};
  const torch::Tensor base = RotaryEmbedding(plain)->inv_freq();
  const torch::Tensor scaled = RotaryEmbedding(tiny_llama_config())->inv_freq();
  ASSERT_EQ(base.size(0), 8);
  EXPECT_DOUBLE_EQ(scaled[0].item<double>(), base[0].item<double>());  // wavelength 6.3 < 64/4
  EXPECT_DOUBLE_EQ(scaled[7].item<double>(), base[7].item<double>() / 8.0);
  const double mid = scaled[1].item<double>();  // wavelength 32.5: smoothed
  EXPECT_LT(mid, base[1].item<double>());
  EXPECT_GT(mid, base[1].item<double>() / 8.0);
}

}  // namespace
}  // namespace bahed::encoder
