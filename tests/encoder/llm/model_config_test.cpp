#include "encoder/llm/model_config.h"

#include <gtest/gtest.h>

#include <string>

namespace bahed::encoder {
namespace {

// Shapes of Llama-3.2-1B's config.json (values as published).
constexpr const char* kLlama32 = R"({
  "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_act": "silu",
  "hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": 16,
  "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 64, "vocab_size": 128256,
  "max_position_embeddings": 131072, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
  "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                   "original_max_position_embeddings": 8192, "rope_type": "llama3"},
  "tie_word_embeddings": true, "attention_bias": false, "mlp_bias": false, "pretraining_tp": 1,
  "torch_dtype": "bfloat16", "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009]})";

// Shapes of Qwen2.5-0.5B's config.json.
constexpr const char* kQwen25 = R"({
  "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_act": "silu",
  "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
  "num_attention_heads": 14, "num_key_value_heads": 2, "vocab_size": 151936,
  "max_position_embeddings": 32768, "max_window_layers": 24, "rms_norm_eps": 1e-06,
  "rope_theta": 1000000.0, "sliding_window": 32768, "use_sliding_window": false,
  "tie_word_embeddings": true, "torch_dtype": "bfloat16", "bos_token_id": 151643,
  "eos_token_id": 151643, "use_cache": true})";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(ModelConfig, ParsesLlama32WithLlama3RopeScaling) {
  Result<ModelConfig> c = parse_model_config(kLlama32);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->arch, ModelArch::kLlama);
  EXPECT_EQ(c->hidden_size, 2048);
  EXPECT_EQ(c->n_layers, 16);
  EXPECT_EQ(c->n_gqa(), 4);
  EXPECT_EQ(c->head_dim(), 64);
  EXPECT_EQ(c->n_vocab, 128256);
  EXPECT_DOUBLE_EQ(c->rms_norm_eps, 1e-5);
  EXPECT_DOUBLE_EQ(c->rope_theta, 500000.0);
  EXPECT_EQ(c->rope_scaling.type, RopeScalingType::kLlama3);
  EXPECT_DOUBLE_EQ(c->rope_scaling.factor, 32.0);
  EXPECT_EQ(c->rope_scaling.original_max_position_embeddings, 8192);
  EXPECT_TRUE(c->tie_word_embeddings);
  EXPECT_FALSE(c->attention_bias);
  EXPECT_EQ(c->torch_dtype, "bfloat16");
  EXPECT_EQ(c->bos_token_id, 128000);
  EXPECT_EQ(c->eos_token_ids, (std::vector<int64_t>{128001, 128008, 128009}));
}

TEST(ModelConfig, ParsesQwen2WithBiasesAndDerivedHeadDim) {
  Result<ModelConfig> c = parse_model_config(kQwen25);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->arch, ModelArch::kQwen2);
  EXPECT_TRUE(c->attention_bias);
  EXPECT_FALSE(c->o_proj_bias());
  EXPECT_EQ(c->head_dim(), 64);
  EXPECT_EQ(c->n_gqa(), 7);
  EXPECT_EQ(c->rope_scaling.type, RopeScalingType::kNone);
  EXPECT_EQ(c->eos_token_ids, std::vector<int64_t>{151643});
}

TEST(ModelConfig, DefaultsKvHeadsToHeadsWhenAbsent) {
  Result<ModelConfig> c = parse_model_config(
      R"({"model_type":"llama","hidden_size":64,"intermediate_size":128,"num_hidden_layers":2,
          "num_attention_heads":4,"vocab_size":100})");
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->n_kv_heads, 4);
  EXPECT_EQ(c->n_gqa(), 1);
  EXPECT_EQ(c->max_position_embeddings, 2048);
  EXPECT_FALSE(c->bos_token_id.has_value());
}

TEST(ModelConfig, RefusesUnknownRopeScalingTypeNamingTheKey) {
  Result<ModelConfig> c = parse_model_config(replace(kLlama32, "\"rope_type\": \"llama3\"", "\"rope_type\": \"yarn\""));
  ASSERT_FALSE(c.is_ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("rope_scaling.rope_type"), std::string::npos) << c.status().to_string();
  EXPECT_NE(c.status().message().find("yarn"), std::string::npos);
}

TEST(ModelConfig, ParsesLinearRopeScalingFromOldTypeKey) {
  Result<ModelConfig> c = parse_model_config(replace(
      kQwen25, "\"use_cache\": true", "\"use_cache\": true, \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}"));
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->rope_scaling.type, RopeScalingType::kLinear);
  EXPECT_DOUBLE_EQ(c->rope_scaling.factor, 2.0);
}

TEST(ModelConfig, NamesTheBadKeyWhenValidationFails) {
  struct Case {
    std::string from, to, key;
  };
  const Case cases[] = {
      {"\"num_key_value_heads\": 8", "\"num_key_value_heads\": 5", "num_key_value_heads"},
      {"\"hidden_size\": 2048", "\"hidden_size\": -1", "hidden_size"},
      {"\"hidden_size\": 2048", "\"hidden_size\": \"big\"", "hidden_size"},
      {"\"vocab_size\": 128256,", "", "vocab_size"},
      {"\"model_type\": \"llama\"", "\"model_type\": \"mistral\"", "model_type"},
      {"\"hidden_act\": \"silu\"", "\"hidden_act\": \"gelu\"", "hidden_act"},
      {"\"rms_norm_eps\": 1e-05", "\"rms_norm_eps\": 0", "rms_norm_eps"},
      {"\"low_freq_factor\": 1.0,", "", "rope_scaling.low_freq_factor"},
      {"\"head_dim\": 64", "\"head_dim\": 63", "head_dim"},
  };
  for (const Case& tc : cases) {
    Result<ModelConfig> c = parse_model_config(replace(kLlama32, tc.from, tc.to));
    ASSERT_FALSE(c.is_ok()) << tc.key;
    EXPECT_NE(c.status().message().find("'" + tc.key + "'"), std::string::npos)
        << tc.key << " not named in: " << c.status().to_string();
  }
}

TEST(ModelConfig, RefusesQwen2SlidingWindow) {
  Result<ModelConfig> c =
      parse_model_config(replace(kQwen25, "\"use_sliding_window\": false", "\"use_sliding_window\": true"));
  ASSERT_FALSE(c.is_ok());
  EXPECT_NE(c.status().message().find("use_sliding_window"), std::string::npos);
}

TEST(ModelConfig, RefusesMalformedJson) {
  EXPECT_EQ(parse_model_config("{\"model_type\": ").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse_model_config("[1, 2]").status().code(), StatusCode::kInvalidArgument);
}

TEST(ModelConfig, RoundTripsThroughJson) {
  for (const char* text : {kLlama32, kQwen25}) {
    Result<ModelConfig> a = parse_model_config(text);
    ASSERT_TRUE(a.is_ok());
    Result<ModelConfig> b = parse_model_config(model_config_to_json(*a));
    ASSERT_TRUE(b.is_ok()) << b.status().to_string() << "\n" << model_config_to_json(*a);
    EXPECT_EQ(model_config_to_json(*a), model_config_to_json(*b));
    EXPECT_EQ(b->arch, a->arch);
    EXPECT_EQ(b->explicit_head_dim, a->explicit_head_dim);
    EXPECT_EQ(b->n_kv_heads, a->n_kv_heads);
    EXPECT_EQ(b->rms_norm_eps, a->rms_norm_eps);
    EXPECT_EQ(b->rope_theta, a->rope_theta);
    EXPECT_EQ(b->rope_scaling.type, a->rope_scaling.type);
    EXPECT_EQ(b->rope_scaling.factor, a->rope_scaling.factor);
    EXPECT_EQ(b->attention_bias, a->attention_bias);
    EXPECT_EQ(b->tie_word_embeddings, a->tie_word_embeddings);
    EXPECT_EQ(b->bos_token_id, a->bos_token_id);
    EXPECT_EQ(b->eos_token_ids, a->eos_token_ids);
  }
}

}  // namespace
}  // namespace bahed::encoder
