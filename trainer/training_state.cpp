#include "trainer/training_state.h"

#include <algorithm>
#include <string>
#include <system_error>
#include <vector>

namespace bahed::trainer {
namespace {

namespace fs = std::filesystem;

// Archive keys cannot hold '.', which parameter names use.
std::string archive_key(std::string name) {
  std::replace(name.begin(), name.end(), '.', '/');
  return name;
}

std::vector<std::pair<std::string, torch::Tensor>> trainable(CtrModelImpl& model) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& item : model.named_parameters()) {
    if (item.value().requires_grad()) out.emplace_back(item.key(), item.value());
  }
  return out;
}

Status write_files(const fs::path& dir, CtrModelImpl& model, const torch::optim::Optimizer& optimizer, int64_t step) {
  torch::serialize::OutputArchive params;
  for (const auto& [name, tensor] : trainable(model)) params.write(archive_key(name), tensor.detach());
  params.save_to((dir / "model.pt").string());
  torch::serialize::OutputArchive opt;
  optimizer.save(opt);
  opt.save_to((dir / "optimizer.pt").string());
  torch::serialize::OutputArchive state;
  state.write("step", torch::tensor(step, torch::kInt64));
  state.write("rng", at::detail::getDefaultCPUGenerator().get_state());
  state.save_to((dir / "trainer.pt").string());
  return Status::ok();
}

}  // namespace

Status save_training_state(const fs::path& dir, CtrModelImpl& model, const torch::optim::Optimizer& optimizer,
                           int64_t step) {
  const fs::path tmp = fs::path(dir.string() + ".tmp");
  const fs::path old = fs::path(dir.string() + ".old");
  std::error_code ec;
  fs::remove_all(tmp, ec);
  if (!fs::create_directories(tmp, ec) || ec) {
    return Status::io_error("creating " + tmp.string() + ": " + ec.message());
  }
  try {
    BAHED_RETURN_IF_ERROR(write_files(tmp, model, optimizer, step));
  } catch (const c10::Error& e) {
    return Status::io_error("writing training state to " + tmp.string() + ": " + e.what_without_backtrace());
  }
  fs::remove_all(old, ec);
  if (fs::exists(dir)) {
    fs::rename(dir, old, ec);
    if (ec) return Status::io_error("moving " + dir.string() + " aside: " + ec.message());
  }
  fs::rename(tmp, dir, ec);
  if (ec) return Status::io_error("renaming " + tmp.string() + " to " + dir.string() + ": " + ec.message());
  fs::remove_all(old, ec);
  return Status::ok();
}

Status load_training_state(const fs::path& dir, CtrModelImpl& model, torch::optim::Optimizer& optimizer,
                           int64_t* step) {
  try {
    torch::serialize::InputArchive params;
    params.load_from((dir / "model.pt").string());
    const auto named = trainable(model);
    std::vector<std::string> keys = params.keys();
    if (keys.size() != named.size()) {
      return Status::corruption(dir.string() + "/model.pt holds " + std::to_string(keys.size()) +
                                " parameters, the model trains " + std::to_string(named.size()));
    }
    torch::NoGradGuard no_grad;
    for (const auto& [name, tensor] : named) {
      torch::Tensor saved;
      if (!params.try_read(archive_key(name), saved)) {
        return Status::corruption(dir.string() + "/model.pt lacks " + name);
      }
      if (saved.sizes() != tensor.sizes()) {
        return Status::corruption(dir.string() + "/model.pt: " + name + " has another shape");
      }
      torch::Tensor target = tensor;
      target.copy_(saved);
    }
    torch::serialize::InputArchive opt;
    opt.load_from((dir / "optimizer.pt").string());
    optimizer.load(opt);
    torch::serialize::InputArchive state;
    state.load_from((dir / "trainer.pt").string());
    torch::Tensor saved_step, rng;
    state.read("step", saved_step);
    state.read("rng", rng);
    *step = saved_step.item<int64_t>();
    at::Generator generator = at::detail::getDefaultCPUGenerator();  // a handle to the global one
    generator.set_state(rng);
  } catch (const c10::Error& e) {
    return Status::io_error("reading training state from " + dir.string() + ": " + e.what_without_backtrace());
  }
  return Status::ok();
}

}  // namespace bahed::trainer
