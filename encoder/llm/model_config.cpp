#include "encoder/llm/model_config.h"

#include <simdjson.h>

#include <string>

#include "common/json_writer.h"
#include "encoder/llm/durable_file.h"

namespace bahed::encoder {
namespace {

// Sanity bounds: a config.json is untrusted input, and these sizes drive
// allocations. Each is far above any released model of this family.
constexpr int64_t kMaxWidth = int64_t{1} << 20;
constexpr int64_t kMaxLayers = 4096;
constexpr int64_t kMaxHeads = 4096;
constexpr int64_t kMaxVocab = int64_t{1} << 24;
constexpr size_t kMaxConfigBytes = size_t{16} << 20;

Status bad_key(std::string_view key, std::string_view why) {
  return Status::invalid_argument("config.json: '" + std::string(key) + "' " + std::string(why));
}

// Reads an optional member; absent or null leaves `out` untouched.
template <typename T>
Status read_member(simdjson::dom::object obj, std::string_view key, T& out) {
  simdjson::dom::element el;
  if (obj.at_key(key).get(el) != simdjson::SUCCESS || el.is_null()) return Status::ok();
  if constexpr (std::is_same_v<T, int64_t>) {
    if (el.get_int64().get(out) != simdjson::SUCCESS) return bad_key(key, "must be an integer");
  } else if constexpr (std::is_same_v<T, double>) {
    if (el.get_double().get(out) != simdjson::SUCCESS) return bad_key(key, "must be a number");
  } else if constexpr (std::is_same_v<T, bool>) {
    if (el.get_bool().get(out) != simdjson::SUCCESS) return bad_key(key, "must be true or false");
  } else {
    std::string_view s;
    if (el.get_string().get(s) != simdjson::SUCCESS) return bad_key(key, "must be a string");
    out = std::string(s);
  }
  return Status::ok();
}

Status require_member(simdjson::dom::object obj, std::string_view key, int64_t& out) {
  simdjson::dom::element el;
  if (obj.at_key(key).get(el) != simdjson::SUCCESS || el.is_null()) return bad_key(key, "is required");
  return read_member(obj, key, out);
}

Status parse_rope_scaling(simdjson::dom::element el, RopeScaling& out) {
  if (el.is_null()) return Status::ok();
  simdjson::dom::object obj;
  if (el.get_object().get(obj) != simdjson::SUCCESS) return bad_key("rope_scaling", "must be an object or null");
  std::string type;
  BAHED_RETURN_IF_ERROR(read_member(obj, "type", type));
  BAHED_RETURN_IF_ERROR(read_member(obj, "rope_type", type));  // newer key wins
  if (type.empty() || type == "default") return Status::ok();
  if (type != "linear" && type != "llama3") {
    return bad_key("rope_scaling.rope_type", "'" + type + "' is not supported (default, linear, llama3)");
  }
  simdjson::dom::element factor;
  if (obj.at_key("factor").get(factor) != simdjson::SUCCESS) return bad_key("rope_scaling.factor", "is required");
  BAHED_RETURN_IF_ERROR(read_member(obj, "factor", out.factor));
  if (type == "linear") {
    out.type = RopeScalingType::kLinear;
    return Status::ok();
  }
  out.type = RopeScalingType::kLlama3;
  for (const char* key : {"low_freq_factor", "high_freq_factor", "original_max_position_embeddings"}) {
    simdjson::dom::element unused;
    if (obj.at_key(key).get(unused) != simdjson::SUCCESS) {
      return bad_key(std::string("rope_scaling.") + key, "is required for llama3");
    }
  }
  BAHED_RETURN_IF_ERROR(read_member(obj, "low_freq_factor", out.low_freq_factor));
  BAHED_RETURN_IF_ERROR(read_member(obj, "high_freq_factor", out.high_freq_factor));
  return read_member(obj, "original_max_position_embeddings", out.original_max_position_embeddings);
}

Status parse_eos(simdjson::dom::element el, std::vector<int64_t>& out) {
  if (el.is_null()) return Status::ok();
  int64_t id = 0;
  if (el.get_int64().get(id) == simdjson::SUCCESS) {
    out.push_back(id);
    return Status::ok();
  }
  simdjson::dom::array arr;
  if (el.get_array().get(arr) != simdjson::SUCCESS) return bad_key("eos_token_id", "must be an integer or a list");
  for (simdjson::dom::element item : arr) {
    if (item.get_int64().get(id) != simdjson::SUCCESS) return bad_key("eos_token_id", "must hold integers");
    out.push_back(id);
  }
  return Status::ok();
}

Status parse_object(simdjson::dom::object obj, ModelConfig& c) {
  std::string model_type;
  BAHED_RETURN_IF_ERROR(read_member(obj, "model_type", model_type));
  if (model_type == "llama") {
    c.arch = ModelArch::kLlama;
  } else if (model_type == "qwen2") {
    c.arch = ModelArch::kQwen2;
    c.max_position_embeddings = 32768;
  } else {
    return bad_key("model_type", "'" + model_type + "' is not supported (llama, qwen2)");
  }
  std::string hidden_act = "silu";
  BAHED_RETURN_IF_ERROR(read_member(obj, "hidden_act", hidden_act));
  if (hidden_act != "silu") return bad_key("hidden_act", "'" + hidden_act + "' is not supported (silu)");

  BAHED_RETURN_IF_ERROR(require_member(obj, "hidden_size", c.hidden_size));
  BAHED_RETURN_IF_ERROR(require_member(obj, "intermediate_size", c.intermediate_size));
  BAHED_RETURN_IF_ERROR(require_member(obj, "num_hidden_layers", c.n_layers));
  BAHED_RETURN_IF_ERROR(require_member(obj, "num_attention_heads", c.n_heads));
  BAHED_RETURN_IF_ERROR(require_member(obj, "vocab_size", c.n_vocab));
  c.n_kv_heads = c.n_heads;
  BAHED_RETURN_IF_ERROR(read_member(obj, "num_key_value_heads", c.n_kv_heads));
  BAHED_RETURN_IF_ERROR(read_member(obj, "head_dim", c.explicit_head_dim));
  BAHED_RETURN_IF_ERROR(read_member(obj, "max_position_embeddings", c.max_position_embeddings));
  BAHED_RETURN_IF_ERROR(read_member(obj, "rms_norm_eps", c.rms_norm_eps));
  BAHED_RETURN_IF_ERROR(read_member(obj, "rope_theta", c.rope_theta));
  BAHED_RETURN_IF_ERROR(read_member(obj, "tie_word_embeddings", c.tie_word_embeddings));
  BAHED_RETURN_IF_ERROR(read_member(obj, "initializer_range", c.initializer_range));
  BAHED_RETURN_IF_ERROR(read_member(obj, "dtype", c.torch_dtype));  // transformers >= 4.56
  BAHED_RETURN_IF_ERROR(read_member(obj, "torch_dtype", c.torch_dtype));
  if (c.arch == ModelArch::kLlama) {
    BAHED_RETURN_IF_ERROR(read_member(obj, "attention_bias", c.attention_bias));
    BAHED_RETURN_IF_ERROR(read_member(obj, "mlp_bias", c.mlp_bias));
  } else {
    c.attention_bias = true;
    bool sliding = false;
    BAHED_RETURN_IF_ERROR(read_member(obj, "use_sliding_window", sliding));
    if (sliding) return bad_key("use_sliding_window", "true is not supported");
  }
  simdjson::dom::element el;
  if (obj.at_key("rope_scaling").get(el) == simdjson::SUCCESS) {
    BAHED_RETURN_IF_ERROR(parse_rope_scaling(el, c.rope_scaling));
  }
  int64_t bos = 0;
  if (obj.at_key("bos_token_id").get(el) == simdjson::SUCCESS && !el.is_null()) {
    BAHED_RETURN_IF_ERROR(read_member(obj, "bos_token_id", bos));
    c.bos_token_id = bos;
  }
  if (obj.at_key("eos_token_id").get(el) == simdjson::SUCCESS) {
    BAHED_RETURN_IF_ERROR(parse_eos(el, c.eos_token_ids));
  }
  return c.validate();
}

Status check_range(std::string_view key, int64_t v, int64_t lo, int64_t hi) {
  if (v < lo || v > hi) {
    return bad_key(key, "= " + std::to_string(v) + " is outside [" + std::to_string(lo) + ", " +
                            std::to_string(hi) + "]");
  }
  return Status::ok();
}

void write_rope_scaling(JsonWriter& w, const RopeScaling& rs) {
  if (rs.type == RopeScalingType::kNone) {
    w.null();
    return;
  }
  w.begin_object();
  w.key("rope_type").value(rs.type == RopeScalingType::kLinear ? "linear" : "llama3");
  w.key("factor").value(rs.factor);
  if (rs.type == RopeScalingType::kLlama3) {
    w.key("low_freq_factor").value(rs.low_freq_factor);
    w.key("high_freq_factor").value(rs.high_freq_factor);
    w.key("original_max_position_embeddings").value(rs.original_max_position_embeddings);
  }
  w.end_object();
}

}  // namespace

std::string_view model_arch_name(ModelArch arch) {
  return arch == ModelArch::kQwen2 ? "qwen2" : "llama";
}

Status ModelConfig::validate() const {
  BAHED_RETURN_IF_ERROR(check_range("hidden_size", hidden_size, 1, kMaxWidth));
  BAHED_RETURN_IF_ERROR(check_range("intermediate_size", intermediate_size, 1, kMaxWidth));
  BAHED_RETURN_IF_ERROR(check_range("num_hidden_layers", n_layers, 1, kMaxLayers));
  BAHED_RETURN_IF_ERROR(check_range("num_attention_heads", n_heads, 1, kMaxHeads));
  BAHED_RETURN_IF_ERROR(check_range("num_key_value_heads", n_kv_heads, 1, n_heads));
  BAHED_RETURN_IF_ERROR(check_range("head_dim", explicit_head_dim, 0, kMaxWidth));
  BAHED_RETURN_IF_ERROR(check_range("vocab_size", n_vocab, 1, kMaxVocab));
  BAHED_RETURN_IF_ERROR(check_range("max_position_embeddings", max_position_embeddings, 1, int64_t{1} << 40));
  if (n_heads % n_kv_heads != 0) return bad_key("num_key_value_heads", "must divide num_attention_heads");
  if (explicit_head_dim == 0 && hidden_size % n_heads != 0) {
    return bad_key("num_attention_heads", "must divide hidden_size when head_dim is absent");
  }
  if (head_dim() % 2 != 0) return bad_key("head_dim", "must be even for rotary embeddings");
  if (!(rms_norm_eps > 0.0)) return bad_key("rms_norm_eps", "must be positive");
  if (!(rope_theta > 1.0)) return bad_key("rope_theta", "must be greater than 1");
  if (!(initializer_range >= 0.0)) return bad_key("initializer_range", "must not be negative");
  if (rope_scaling.type != RopeScalingType::kNone && !(rope_scaling.factor > 0.0)) {
    return bad_key("rope_scaling.factor", "must be positive");
  }
  if (rope_scaling.type == RopeScalingType::kLlama3) {
    if (!(rope_scaling.low_freq_factor > 0.0)) return bad_key("rope_scaling.low_freq_factor", "must be positive");
    if (!(rope_scaling.high_freq_factor > rope_scaling.low_freq_factor)) {
      return bad_key("rope_scaling.high_freq_factor", "must exceed low_freq_factor");
    }
    BAHED_RETURN_IF_ERROR(check_range("rope_scaling.original_max_position_embeddings",
                                      rope_scaling.original_max_position_embeddings, 1, int64_t{1} << 40));
  }
  if (torch_dtype.empty()) return bad_key("torch_dtype", "must not be empty");
  return Status::ok();
}

Result<ModelConfig> parse_model_config(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const simdjson::padded_string padded(json);
  if (auto err = parser.parse(padded).get(root); err != simdjson::SUCCESS) {
    return Status::invalid_argument(std::string("config.json: bad JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    return Status::invalid_argument("config.json: the top level must be an object");
  }
  ModelConfig config;
  BAHED_RETURN_IF_ERROR(parse_object(obj, config));
  return config;
}

Result<ModelConfig> load_model_config(const std::filesystem::path& path) {
  BAHED_ASSIGN_OR_RETURN(std::string text, read_small_file(path, kMaxConfigBytes));
  Result<ModelConfig> config = parse_model_config(text);
  if (!config.is_ok()) return config.status().with_context(path.string());
  return config;
}

std::string model_config_to_json(const ModelConfig& c) {
  const bool llama = c.arch == ModelArch::kLlama;
  JsonWriter w;
  w.begin_object();
  w.key("architectures").begin_array().value(llama ? "LlamaForCausalLM" : "Qwen2ForCausalLM").end_array();
  w.key("model_type").value(model_arch_name(c.arch));
  w.key("hidden_act").value("silu");
  w.key("hidden_size").value(c.hidden_size);
  w.key("intermediate_size").value(c.intermediate_size);
  w.key("num_hidden_layers").value(c.n_layers);
  w.key("num_attention_heads").value(c.n_heads);
  w.key("num_key_value_heads").value(c.n_kv_heads);
  if (c.explicit_head_dim > 0) w.key("head_dim").value(c.explicit_head_dim);
  w.key("vocab_size").value(c.n_vocab);
  w.key("max_position_embeddings").value(c.max_position_embeddings);
  w.key("rms_norm_eps").value(c.rms_norm_eps);
  w.key("rope_theta").value(c.rope_theta);
  write_rope_scaling(w.key("rope_scaling"), c.rope_scaling);
  w.key("tie_word_embeddings").value(c.tie_word_embeddings);
  if (llama) {
    w.key("attention_bias").value(c.attention_bias);
    w.key("mlp_bias").value(c.mlp_bias);
  } else {
    w.key("use_sliding_window").value(false);
  }
  w.key("attention_dropout").value(0.0);
  w.key("initializer_range").value(c.initializer_range);
  w.key("torch_dtype").value(c.torch_dtype);
  w.key("bos_token_id");
  if (c.bos_token_id) {
    w.value(*c.bos_token_id);
  } else {
    w.null();
  }
  w.key("eos_token_id");
  if (c.eos_token_ids.empty()) {
    w.null();
  } else if (c.eos_token_ids.size() == 1) {
    w.value(c.eos_token_ids[0]);
  } else {
    w.begin_array();
    for (int64_t id : c.eos_token_ids) w.value(id);
    w.end_array();
  }
  w.end_object();
  return w.take();
}

Status save_model_config(const ModelConfig& config, const std::filesystem::path& path) {
  return write_file_durably(path, model_config_to_json(config) + "\n");
}

}  // namespace bahed::encoder
