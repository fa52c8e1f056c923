#include "encoder/llm/hf_checkpoint.h"

#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "encoder/llm/durable_file.h"
#include "encoder/llm/safetensors_writer.h"
#include "encoder/llm/weight_names.h"

namespace bahed::encoder {
namespace {

std::optional<torch::ScalarType> torch_dtype_of(SafetensorsDtype d) {
  switch (d) {
    case SafetensorsDtype::kF32: return torch::kFloat32;
    case SafetensorsDtype::kBF16: return torch::kBFloat16;
    case SafetensorsDtype::kF16: return torch::kFloat16;
    case SafetensorsDtype::kF64: return torch::kFloat64;
    default: return std::nullopt;
  }
}

Result<torch::ScalarType> parse_compute_dtype(const std::string& name) {
  if (name == "float32") return torch::kFloat32;
  if (name == "bfloat16") return torch::kBFloat16;
  if (name == "float16") return torch::kFloat16;
  return Status::invalid_argument("unknown dtype '" + name + "'");
}

std::string dtype_config_name(torch::ScalarType t) {
  if (t == torch::kBFloat16) return "bfloat16";
  if (t == torch::kFloat16) return "float16";
  return "float32";
}

// The model's parameters must be exactly the table's names: a mismatch is a
// bug in the modules, not in the file.
Status check_parameter_names(const LlamaModel& model) {
  std::set<std::string> params;
  for (const auto& item : model->named_parameters()) params.insert(item.key());
  std::set<std::string> table;
  for (const WeightSpec& spec : expected_weights(model->config())) table.insert(spec.name);
  if (params != table) return Status::internal("LlamaModel parameters differ from the weight_names table");
  return Status::ok();
}

}  // namespace

Status check_checkpoint_tensors(const ModelConfig& config, const SafetensorsReader& reader) {
  std::set<std::string, std::less<>> expected;
  for (const WeightSpec& spec : expected_weights(config)) {
    expected.insert(spec.name);
    const TensorView* view = reader.find(spec.name);
    if (view == nullptr) return Status::corruption("checkpoint: missing tensor '" + spec.name + "'");
    if (view->shape != spec.shape) {
      return Status::corruption("checkpoint: tensor '" + spec.name + "' has shape " + shape_to_string(view->shape) +
                                " but config.json implies " + shape_to_string(spec.shape));
    }
    if (!torch_dtype_of(view->dtype)) {
      return Status::corruption("checkpoint: tensor '" + spec.name + "' has dtype " +
                                std::string(safetensors_dtype_name(view->dtype)) + "; expected F32, BF16 or F16");
    }
  }
  for (const auto& [name, view] : reader.tensors()) {
    if (expected.count(name) == 0 && !is_ignorable_weight(name, config)) {
      return Status::corruption("checkpoint: unexpected tensor '" + name + "'");
    }
  }
  return Status::ok();
}

Status copy_checkpoint_tensors(LlamaModel& model, const SafetensorsReader& reader) {
  BAHED_RETURN_IF_ERROR(check_parameter_names(model));
  torch::NoGradGuard no_grad;
  for (auto& item : model->named_parameters()) {
    const TensorView* view = reader.find(item.key());
    if (view == nullptr) return Status::corruption("checkpoint: missing tensor '" + item.key() + "'");
    const std::optional<torch::ScalarType> dtype = torch_dtype_of(view->dtype);
    if (!dtype || view->shape != item.value().sizes().vec()) {
      return Status::corruption("checkpoint: tensor '" + item.key() + "' does not match the model");
    }
    // memcpy, not from_blob: mapped data may be unaligned for its dtype.
    torch::Tensor staged = torch::empty(view->shape, torch::TensorOptions().dtype(*dtype));
    std::memcpy(staged.data_ptr(), view->data.data(), view->data.size());
    item.value().copy_(staged);
  }
  return Status::ok();
}

Result<LlamaModel> load_hf_model(const std::filesystem::path& dir, const LlmOptions& options_arg) {
  LlmOptions options = options_arg;
  options.model_dir = dir.string();
  BAHED_RETURN_IF_ERROR(options.validate());
  BAHED_ASSIGN_OR_RETURN(ModelConfig config, load_model_config(dir / "config.json"));
  if (options.n_layers_shallow > config.n_layers) {
    return Status::invalid_argument("encoder.n_layers_shallow=" + std::to_string(options.n_layers_shallow) +
                                    " exceeds num_hidden_layers=" + std::to_string(config.n_layers));
  }
  if (options.train_lm_head && config.tie_word_embeddings) {
    return Status::invalid_argument("encoder.train_lm_head needs untied embeddings (tie_word_embeddings=true)");
  }
  BAHED_ASSIGN_OR_RETURN(torch::ScalarType dtype, parse_compute_dtype(options.dtype));
  if (options.device != "cpu" && !torch::cuda::is_available()) {
    return Status::unavailable("encoder.device=" + options.device + " but CUDA is not available");
  }
  BAHED_ASSIGN_OR_RETURN(SafetensorsReader reader, SafetensorsReader::open_dir(dir));
  BAHED_RETURN_IF_ERROR(check_checkpoint_tensors(config, reader).with_context(dir.string()));
  try {
    LlamaModel model(config, options);
    model->to(torch::Device(options.device), dtype);
    BAHED_RETURN_IF_ERROR(copy_checkpoint_tensors(model, reader).with_context(dir.string()));
    return model;
  } catch (const c10::Error& e) {
    return Status::internal("loading " + dir.string() + ": " + e.what_without_backtrace());
  }
}

Result<LlamaModel> load_hf_model(const LlmOptions& options) {
  if (options.model_dir.empty()) return Status::invalid_argument("encoder.model_dir is required");
  return load_hf_model(options.model_dir, options);
}

namespace {

Result<SafetensorsDtype> safetensors_dtype_of(torch::ScalarType t) {
  if (t == torch::kFloat32) return SafetensorsDtype::kF32;
  if (t == torch::kBFloat16) return SafetensorsDtype::kBF16;
  if (t == torch::kFloat16) return SafetensorsDtype::kF16;
  return Status::invalid_argument(std::string("cannot save parameters of dtype ") + c10::toString(t));
}

Status write_model_files(const LlamaModel& model, const std::filesystem::path& dir) {
  ModelConfig config = model->config();
  config.torch_dtype = dtype_config_name(model->dtype());
  BAHED_RETURN_IF_ERROR(save_model_config(config, dir / "config.json"));
  // Host copies stay alive in `host` while the entries point into them.
  std::vector<torch::Tensor> host;
  std::vector<SafetensorsEntry> entries;
  for (const auto& item : model->named_parameters()) {
    BAHED_ASSIGN_OR_RETURN(SafetensorsDtype dtype, safetensors_dtype_of(item.value().scalar_type()));
    host.push_back(item.value().detach().to(torch::kCPU).contiguous());
    const torch::Tensor& t = host.back();
    entries.push_back({item.key(), dtype, t.sizes().vec(),
                       {static_cast<const std::byte*>(t.data_ptr()), static_cast<size_t>(t.numel() * t.element_size())}});
  }
  BAHED_RETURN_IF_ERROR(write_safetensors(dir / "model.safetensors", entries));
  return sync_directory(dir);
}

}  // namespace

Status save_hf_model(const LlamaModel& model, const std::filesystem::path& dir_arg) {
  BAHED_RETURN_IF_ERROR(check_parameter_names(model));
  // "out/" names the same directory as "out"; the temporary is its sibling.
  const std::filesystem::path dir = dir_arg.has_filename() ? dir_arg : dir_arg.parent_path();
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) return Status::already_exists(dir.string() + " exists");
  std::filesystem::path tmp = dir;
  tmp += ".tmp";
  std::filesystem::remove_all(tmp, ec);  // leftover of a crashed save; ours to discard
  if (!std::filesystem::create_directories(tmp, ec) || ec) {
    return Status::io_error("cannot create " + tmp.string() + ": " + ec.message());
  }
  try {
    BAHED_RETURN_IF_ERROR(write_model_files(model, tmp));
  } catch (const c10::Error& e) {
    return Status::internal("saving " + dir.string() + ": " + e.what_without_backtrace());
  }
  std::filesystem::rename(tmp, dir, ec);
  if (ec) return Status::io_error("cannot rename " + tmp.string() + " to " + dir.string() + ": " + ec.message());
  const std::filesystem::path parent = dir.has_parent_path() ? dir.parent_path() : std::filesystem::path(".");
  return sync_directory(parent);
}

}  // namespace bahed::encoder
