#include "trainer/training_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
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

Status errno_status(std::string_view what, const fs::path& path, int error) {
  return Status::io_error(std::string(what) + " " + path.string() + ": " + std::strerror(error));
}

// Streams an archive into `path` through our own write(2) calls, so a failed
// write (disk full, read-only file system, file size limit) is an IOError
// naming the file and the cause. LibTorch's own file writer reports neither,
// and after a failed write its destructor throws again while it finishes the
// zip, which ends the process (std::terminate). So torch is told that every
// write succeeded; the first failure is kept and returned once it is done.
Status save_archive(torch::serialize::OutputArchive& archive, const fs::path& path) {
  struct Fd {
    int fd;
    ~Fd() {
      if (fd >= 0) ::close(fd);
    }
  } file{::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)};
  if (file.fd < 0) return errno_status("cannot create", path, errno);
  int write_errno = 0;
  archive.save_to([&](const void* data, size_t n) -> size_t {
    const char* p = static_cast<const char*>(data);
    size_t left = n;
    while (write_errno == 0 && left > 0) {
      const ssize_t written = ::write(file.fd, p, left);
      if (written < 0) {
        if (errno != EINTR) write_errno = errno;
        continue;
      }
      p += written;
      left -= static_cast<size_t>(written);
    }
    return n;  // see above: a failure is reported after the archive
  });
  if (write_errno != 0) return errno_status("cannot write", path, write_errno);
  // Durable before the version that names it: a power loss must not leave a
  // published version whose state files are empty.
  if (::fsync(file.fd) != 0) return errno_status("cannot sync", path, errno);
  const int fd = file.fd;
  file.fd = -1;
  if (::close(fd) != 0) return errno_status("cannot close", path, errno);
  return Status::ok();
}

Status write_files(const fs::path& dir, CtrModelImpl& model, const torch::optim::Optimizer& optimizer, int64_t step) {
  torch::serialize::OutputArchive params;
  for (const auto& [name, tensor] : trainable(model)) params.write(archive_key(name), tensor.detach());
  BAHED_RETURN_IF_ERROR(save_archive(params, dir / "model.pt"));
  torch::serialize::OutputArchive opt;
  optimizer.save(opt);
  BAHED_RETURN_IF_ERROR(save_archive(opt, dir / "optimizer.pt"));
  torch::serialize::OutputArchive state;
  state.write("step", torch::tensor(step, torch::kInt64));
  state.write("rng", at::detail::getDefaultCPUGenerator().get_state());
  return save_archive(state, dir / "trainer.pt");
}

// Makes the renames inside `dir` durable.
Status sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status("cannot open", dir, errno);
  const int synced = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (synced != 0) return errno_status("cannot sync", dir, error);
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
  Status written;
  try {
    written = write_files(tmp, model, optimizer, step);
  } catch (const c10::Error& e) {
    written = Status::io_error(std::string(e.what_without_backtrace()));
  }
  if (!written.is_ok()) {
    fs::remove_all(tmp, ec);  // best effort: frees the space; the next save removes it too
    return written.with_context("writing training state to " + tmp.string());
  }
  fs::remove_all(old, ec);
  if (fs::exists(dir)) {
    fs::rename(dir, old, ec);
    if (ec) return Status::io_error("moving " + dir.string() + " aside: " + ec.message());
  }
  fs::rename(tmp, dir, ec);
  if (ec) return Status::io_error("renaming " + tmp.string() + " to " + dir.string() + ": " + ec.message());
  fs::remove_all(old, ec);
  return sync_directory(dir.has_parent_path() ? dir.parent_path() : fs::path("."));
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
