#include "encoder/llm/hf_checkpoint.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "encoder/llm/safetensors_writer.h"
#include "tests/common/temp_dir.h"
#include "tests/encoder/llm/tiny_model.h"

namespace bahed::encoder {
namespace {

using namespace llm_test;
using bahed::testing::TempDir;

using TensorMap = std::map<std::string, torch::Tensor>;

TensorMap parameters_of(const LlamaModel& model) {
  TensorMap out;
  for (const auto& item : model->named_parameters()) out[item.key()] = item.value().detach().clone();
  return out;
}

// Writes config.json and a safetensors file holding exactly `tensors`, in
// `dtype` (F32 or BF16), bypassing save_hf_model to build broken checkpoints.
void write_checkpoint(const std::filesystem::path& dir, const ModelConfig& config, const TensorMap& tensors,
                      torch::ScalarType dtype = torch::kFloat32, const std::string& file = "model.safetensors") {
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(save_model_config(config, dir / "config.json").is_ok());
  std::vector<torch::Tensor> keep;
  std::vector<SafetensorsEntry> entries;
  for (const auto& [name, t] : tensors) {
    keep.push_back(t.to(dtype).contiguous());
    entries.push_back({name, dtype == torch::kBFloat16 ? SafetensorsDtype::kBF16 : SafetensorsDtype::kF32,
                       keep.back().sizes().vec(),
                       {static_cast<const std::byte*>(keep.back().data_ptr()),
                        static_cast<size_t>(keep.back().numel() * keep.back().element_size())}});
  }
  ASSERT_TRUE(write_safetensors(dir / file, entries).is_ok());
}

LlamaModel random_model(const ModelConfig& config, uint64_t seed) {
  LlamaModel model(config, tiny_options(1));
  randomize_parameters(model, seed);
  return model;
}

void expect_load_error(const std::filesystem::path& dir, const std::string& needle) {
  Result<LlamaModel> loaded = load_hf_model(dir, tiny_options(1));
  ASSERT_FALSE(loaded.is_ok()) << "expected failure naming " << needle;
  EXPECT_NE(loaded.status().message().find(needle), std::string::npos) << loaded.status().to_string();
}

TEST(HfCheckpoint, SaveThenLoadRoundTripsBitExactly) {
  TempDir tmp;
  for (const ModelConfig& config : {tiny_llama_config(), tiny_qwen2_config(), tiny_biased_llama_config()}) {
    const std::string name(model_arch_name(config.arch));
    const auto dir = tmp.path() / (name + std::to_string(config.n_layers));
    LlamaModel model = random_model(config, 21);
    ASSERT_TRUE(save_hf_model(model, dir).is_ok());
    EXPECT_FALSE(std::filesystem::exists(dir.string() + ".tmp"));
    Result<LlamaModel> loaded = load_hf_model(dir, tiny_options(1));
    ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
    const TensorMap a = parameters_of(model), b = parameters_of(*loaded);
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [key, t] : a) EXPECT_TRUE(torch::equal(t, b.at(key))) << name << " " << key;
    EXPECT_EQ(model_config_to_json(loaded.value()->config()), model_config_to_json(config));
    const torch::Tensor ids = torch::tensor({{3, 1, 4, 1, 5}}, torch::kInt64);
    const torch::Tensor len = torch::tensor({5}, torch::kInt64);
    EXPECT_TRUE(torch::equal(model->forward_tokens(ids, len), loaded.value()->forward_tokens(ids, len)));
  }
}

TEST(HfCheckpoint, SaveRefusesAnExistingDirectory) {
  TempDir tmp;
  LlamaModel model = random_model(tiny_qwen2_config(), 22);
  ASSERT_TRUE(save_hf_model(model, tmp.path() / "m").is_ok());
  EXPECT_EQ(save_hf_model(model, tmp.path() / "m").code(), StatusCode::kAlreadyExists);
}

TEST(HfCheckpoint, LoadNamesAMissingTensor) {
  TempDir tmp;
  TensorMap tensors = parameters_of(random_model(tiny_llama_config(), 23));
  tensors.erase("model.layers.2.mlp.up_proj.weight");
  write_checkpoint(tmp.path(), tiny_llama_config(), tensors);
  expect_load_error(tmp.path(), "missing tensor 'model.layers.2.mlp.up_proj.weight'");
}

TEST(HfCheckpoint, LoadNamesAnUnexpectedTensor) {
  TempDir tmp;
  TensorMap tensors = parameters_of(random_model(tiny_llama_config(), 24));
  tensors["model.layers.4.self_attn.q_proj.weight"] = torch::zeros({64, 64});
  write_checkpoint(tmp.path(), tiny_llama_config(), tensors);
  expect_load_error(tmp.path(), "unexpected tensor 'model.layers.4.self_attn.q_proj.weight'");
}

TEST(HfCheckpoint, LoadNamesAMisshapedTensor) {
  TempDir tmp;
  TensorMap tensors = parameters_of(random_model(tiny_qwen2_config(), 25));
  tensors["model.layers.1.self_attn.k_proj.bias"] = torch::zeros({24});
  write_checkpoint(tmp.path(), tiny_qwen2_config(), tensors);
  expect_load_error(tmp.path(), "tensor 'model.layers.1.self_attn.k_proj.bias' has shape [24] but config.json implies [12]");
}

TEST(HfCheckpoint, LoadsQwen2BiasesAndStoresNoTiedHead) {
  TempDir tmp;
  LlamaModel model = random_model(tiny_qwen2_config(), 26);
  ASSERT_TRUE(save_hf_model(model, tmp.path() / "qwen").is_ok());
  Result<SafetensorsReader> reader = SafetensorsReader::open_dir(tmp.path() / "qwen");
  ASSERT_TRUE(reader.is_ok());
  EXPECT_EQ(reader->find("lm_head.weight"), nullptr);
  EXPECT_NE(reader->find("model.layers.2.self_attn.v_proj.bias"), nullptr);
  EXPECT_EQ(reader->find("model.layers.2.self_attn.o_proj.bias"), nullptr);

  Result<LlamaModel> loaded = load_hf_model(tmp.path() / "qwen", tiny_options(1));
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  const TensorMap params = parameters_of(*loaded);
  const torch::Tensor& bias = params.at("model.layers.0.self_attn.q_proj.bias");
  EXPECT_GT(bias.abs().sum().item<double>(), 0.0);
  EXPECT_TRUE(torch::equal(bias, parameters_of(model).at("model.layers.0.self_attn.q_proj.bias")));
}

TEST(HfCheckpoint, ConvertsBfloat16WeightsToTheModelDtype) {
  TempDir tmp;
  const TensorMap tensors = parameters_of(random_model(tiny_llama_config(), 27));
  write_checkpoint(tmp.path(), tiny_llama_config(), tensors, torch::kBFloat16);
  Result<LlamaModel> loaded = load_hf_model(tmp.path(), tiny_options(1));
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded.value()->dtype(), torch::kFloat32);
  for (const auto& [name, t] : parameters_of(*loaded)) {
    EXPECT_TRUE(torch::equal(t, tensors.at(name).to(torch::kBFloat16).to(torch::kFloat32))) << name;
  }
  LlmOptions bf16 = tiny_options(1);
  bf16.dtype = "bfloat16";
  Result<LlamaModel> loaded_bf16 = load_hf_model(tmp.path(), bf16);
  ASSERT_TRUE(loaded_bf16.is_ok()) << loaded_bf16.status().to_string();
  EXPECT_EQ(loaded_bf16.value()->dtype(), torch::kBFloat16);
}

TEST(HfCheckpoint, LoadsAShardedCheckpoint) {
  TempDir tmp;
  LlamaModel model = random_model(tiny_llama_config(), 28);
  const TensorMap all = parameters_of(model);
  TensorMap first, second;
  std::string weight_map;
  for (const auto& [name, t] : all) {
    const bool in_first = name.rfind("model.layers.", 0) != 0 || name < "model.layers.2";
    (in_first ? first : second)[name] = t;
    weight_map += (weight_map.empty() ? "" : ",") + ("\"" + name + "\":\"model-0000") + (in_first ? "1" : "2") +
                  "-of-00002.safetensors\"";
  }
  write_checkpoint(tmp.path(), tiny_llama_config(), first, torch::kFloat32, "model-00001-of-00002.safetensors");
  write_checkpoint(tmp.path(), tiny_llama_config(), second, torch::kFloat32, "model-00002-of-00002.safetensors");
  std::ofstream(tmp.path() / "model.safetensors.index.json") << "{\"metadata\":{},\"weight_map\":{" << weight_map
                                                             << "}}";
  Result<LlamaModel> loaded = load_hf_model(tmp.path(), tiny_options(1));
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  for (const auto& [name, t] : parameters_of(*loaded)) EXPECT_TRUE(torch::equal(t, all.at(name))) << name;
}

TEST(HfCheckpoint, IgnoresRotaryInvFreqBuffers) {
  TempDir tmp;
  TensorMap tensors = parameters_of(random_model(tiny_llama_config(), 29));
  tensors["model.layers.0.self_attn.rotary_emb.inv_freq"] = torch::ones({8});
  write_checkpoint(tmp.path(), tiny_llama_config(), tensors);
  EXPECT_TRUE(load_hf_model(tmp.path(), tiny_options(1)).is_ok());
}

TEST(HfCheckpoint, RefusesOptionsTheModelCannotHonour) {
  TempDir tmp;
  ASSERT_TRUE(save_hf_model(random_model(tiny_qwen2_config(), 30), tmp.path() / "m").is_ok());
  Result<LlamaModel> too_deep = load_hf_model(tmp.path() / "m", tiny_options(4));
  ASSERT_FALSE(too_deep.is_ok());
  EXPECT_NE(too_deep.status().message().find("n_layers_shallow"), std::string::npos);
  LlmOptions head = tiny_options(1);
  head.train_lm_head = true;  // tied embeddings
  EXPECT_EQ(load_hf_model(tmp.path() / "m", head).status().code(), StatusCode::kInvalidArgument);
  LlmOptions half = tiny_options(1);
  half.dtype = "float16";
  EXPECT_EQ(load_hf_model(tmp.path() / "m", half).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(load_hf_model(tmp.path() / "absent", tiny_options(1)).status().code(), StatusCode::kNotFound);
}

TEST(LlmOptions, RefusesMissingDirUnknownDeviceAndCpuFloat16) {
  LlmOptions options;
  EXPECT_NE(options.validate().message().find("encoder.model_dir"), std::string::npos);
  options.model_dir = "/models/qwen";
  EXPECT_TRUE(options.validate().is_ok());
  options.device = "tpu";
  EXPECT_NE(options.validate().message().find("encoder.device"), std::string::npos);
  options.device = "cuda:1";
  EXPECT_TRUE(options.validate().is_ok());
  options.device = "cpu";
  options.dtype = "float16";
  EXPECT_NE(options.validate().message().find("encoder.dtype"), std::string::npos);
  EXPECT_EQ(parse_pooling("last_token"), Pooling::kLastToken);
  EXPECT_FALSE(parse_pooling("max").has_value());
}

}  // namespace
}  // namespace bahed::encoder
