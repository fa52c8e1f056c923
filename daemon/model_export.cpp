#include "daemon/model_export.h"

#include <cstring>

#include "encoder/llm/safetensors_reader.h"
#include "encoder/llm/safetensors_writer.h"

namespace bahed::daemon {

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

}  // namespace bahed::daemon
