#include "daemon/model_export.h"

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

}  // namespace bahed::daemon
