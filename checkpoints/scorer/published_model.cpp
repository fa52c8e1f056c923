#include "checkpoints/scorer/published_model.h"

#include <simdjson.h>

#include <cstring>

#include "common/json_writer.h"
#include "encoder/llm/safetensors_reader.h"
#include "encoder/llm/safetensors_writer.h"

namespace bahed::checkpoints {
namespace {

Status missing(std::string_view key) {
  return Status::corruption("model_config lacks '" + std::string(key) + "' or it has the wrong type");
}

}  // namespace

PublishedModelConfig published_model_config(const encoder::LlamaModel& base, const trainer::TrainerOptions& options) {
  PublishedModelConfig c;
  c.hidden_size = base->config().hidden_size;
  c.num_hidden_layers = base->config().n_layers;
  c.n_layers_shallow = base->options().n_layers_shallow;
  c.context_length = options.n_context;
  c.n_targets_per_row = options.n_targets_per_row;
  c.granularity = std::string(trainer::slot_granularity_name(options.model.granularity));
  c.position_scheme = std::string(trainer::position_scheme_name(options.model.position_scheme));
  c.forgetting = options.model.forgetting;
  c.n_head_hidden = options.model.n_head_hidden;
  c.fused_target_slot = options.fused_target_slot;
  return c;
}

std::string to_json(const PublishedModelConfig& c) {
  JsonWriter w;
  w.begin_object();
  w.key("hidden_size").value(c.hidden_size);
  w.key("num_hidden_layers").value(c.num_hidden_layers);
  w.key("n_layers_shallow").value(c.n_layers_shallow);
  w.key("context_length").value(c.context_length);
  w.key("n_targets_per_row").value(c.n_targets_per_row);
  w.key("granularity").value(c.granularity);
  w.key("position_scheme").value(c.position_scheme);
  w.key("forgetting").value(c.forgetting);
  w.key("n_head_hidden").value(c.n_head_hidden);
  w.key("fused_target_slot").value(c.fused_target_slot);
  w.end_object();
  return w.take();
}

Result<PublishedModelConfig> parse_published_model_config(std::string_view json) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(json);
  simdjson::dom::object obj;
  if (parser.parse(padded).get_object().get(obj) != simdjson::SUCCESS) {
    return Status::corruption("model_config is not a JSON object");
  }
  PublishedModelConfig c;
  const auto integer = [&](const char* key, int64_t& out) -> Status {
    if (obj[key].get_int64().get(out) != simdjson::SUCCESS) return missing(key);
    return Status::ok();
  };
  const auto text = [&](const char* key, std::string& out) -> Status {
    std::string_view s;
    if (obj[key].get_string().get(s) != simdjson::SUCCESS) return missing(key);
    out.assign(s);
    return Status::ok();
  };
  BAHED_RETURN_IF_ERROR(integer("hidden_size", c.hidden_size));
  BAHED_RETURN_IF_ERROR(integer("num_hidden_layers", c.num_hidden_layers));
  BAHED_RETURN_IF_ERROR(integer("n_layers_shallow", c.n_layers_shallow));
  BAHED_RETURN_IF_ERROR(integer("context_length", c.context_length));
  BAHED_RETURN_IF_ERROR(integer("n_targets_per_row", c.n_targets_per_row));
  BAHED_RETURN_IF_ERROR(text("granularity", c.granularity));
  BAHED_RETURN_IF_ERROR(text("position_scheme", c.position_scheme));
  if (obj["forgetting"].get_double().get(c.forgetting) != simdjson::SUCCESS) return missing("forgetting");
  BAHED_RETURN_IF_ERROR(integer("n_head_hidden", c.n_head_hidden));
  if (obj["fused_target_slot"].get_bool().get(c.fused_target_slot) != simdjson::SUCCESS) return missing("fused_target_slot");
  return c;
}

Result<trainer::TrainerOptions> trainer_options_of(const PublishedModelConfig& c) {
  trainer::TrainerOptions o;
  const auto granularity = trainer::parse_slot_granularity(c.granularity);
  if (!granularity) return Status::corruption("model_config granularity '" + c.granularity + "' is unknown");
  const auto scheme = trainer::parse_position_scheme(c.position_scheme);
  if (!scheme) return Status::corruption("model_config position_scheme '" + c.position_scheme + "' is unknown");
  o.model.granularity = *granularity;
  o.model.position_scheme = *scheme;
  o.model.forgetting = c.forgetting;
  o.model.n_head_hidden = c.n_head_hidden;
  o.n_context = c.context_length;
  o.n_targets_per_row = std::max<int64_t>(1, c.n_targets_per_row);
  o.fused_target_slot = c.fused_target_slot;
  if (Status s = o.validate(); !s.is_ok()) return Status::corruption("model_config: " + s.message());
  return o;
}

Status write_model_safetensors(trainer::CtrModel& model, const std::filesystem::path& file) {
  std::vector<torch::Tensor> keep;  // owns the CPU float32 copies during the write
  std::vector<encoder::SafetensorsEntry> entries;
  try {
    torch::NoGradGuard no_grad;
    for (const auto& item : model->named_parameters(/*recurse=*/true)) {
      if (!item.value().requires_grad()) continue;  // frozen: part of the base model
      torch::Tensor t = item.value().detach().to(torch::kCPU, torch::kFloat32).contiguous();
      keep.push_back(t);
      entries.push_back({item.key(), encoder::SafetensorsDtype::kF32,
                         std::vector<int64_t>(t.sizes().begin(), t.sizes().end()),
                         std::span<const std::byte>(static_cast<const std::byte*>(t.data_ptr()),
                                                    static_cast<size_t>(t.numel()) * sizeof(float))});
    }
  } catch (const c10::Error& e) {
    return Status::internal(std::string("exporting the model: ") + e.what_without_backtrace());
  }
  return encoder::write_safetensors(file, entries, {{"format", "pt"}, {"producer", "bahed"}});
}

Status read_model_safetensors(const std::filesystem::path& file, trainer::CtrModel& model) {
  BAHED_ASSIGN_OR_RETURN(encoder::SafetensorsReader reader, encoder::SafetensorsReader::open_file(file));
  const auto bad = [&](const std::string& what) { return Status::corruption(file.string() + ": " + what); };
  size_t n_trainable = 0;
  try {
    torch::NoGradGuard no_grad;
    for (const auto& item : model->named_parameters(/*recurse=*/true)) {
      if (!item.value().requires_grad()) continue;
      ++n_trainable;
      const encoder::TensorView* view = reader.find(item.key());
      if (view == nullptr) return bad("lacks tensor " + item.key());
      if (view->dtype != encoder::SafetensorsDtype::kF32) return bad(item.key() + " is not float32");
      if (view->shape != std::vector<int64_t>(item.value().sizes().begin(), item.value().sizes().end())) {
        return bad(item.key() + " has another shape than the model's");
      }
      torch::Tensor cpu = torch::empty(item.value().sizes(), torch::kFloat32);
      std::memcpy(cpu.data_ptr(), view->data.data(), view->data.size());  // views may be unaligned
      torch::Tensor target = item.value();
      target.copy_(cpu);
    }
  } catch (const c10::Error& e) {
    return Status::internal(std::string("loading the model: ") + e.what_without_backtrace());
  }
  if (reader.tensors().size() != n_trainable) {
    return bad("holds " + std::to_string(reader.tensors().size()) + " tensors, the model trains " +
               std::to_string(n_trainable));
  }
  return Status::ok();
}

}  // namespace bahed::checkpoints
