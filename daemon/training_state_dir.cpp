#include "daemon/training_state_dir.h"

#include <algorithm>
#include <system_error>
#include <vector>

#include "checkpoints/version_layout.h"

namespace bahed::daemon {

namespace fs = std::filesystem;

fs::path training_state_path(const fs::path& state_dir, int64_t version) {
  return state_dir / checkpoints::version_dir_name(version);
}

std::optional<fs::path> find_training_state(const fs::path& state_dir, int64_t version) {
  const fs::path dir = training_state_path(state_dir, version);
  std::error_code ec;
  for (const char* name : {"model.pt", "optimizer.pt", "trainer.pt"}) {
    if (!fs::is_regular_file(dir / name, ec)) return std::nullopt;
  }
  return dir;
}

Status prune_training_states(const fs::path& state_dir, int64_t newest, int64_t keep) {
  std::error_code ec;
  if (!fs::exists(state_dir, ec)) return Status::ok();
  std::vector<int64_t> kept;
  std::vector<fs::path> doomed;
  for (const auto& entry : fs::directory_iterator(state_dir, ec)) {
    const std::string name = entry.path().filename().string();
    const auto version = checkpoints::parse_version_dir_name(name);
    if (version && *version <= newest) {
      kept.push_back(*version);
    } else if (version || name.starts_with("v")) {
      doomed.push_back(entry.path());  // unpublished version, or a save's .tmp/.old
    }
  }
  if (ec) return Status::io_error("listing " + state_dir.string() + ": " + ec.message());
  std::sort(kept.rbegin(), kept.rend());
  for (size_t i = static_cast<size_t>(std::max<int64_t>(keep, 0)); i < kept.size(); ++i) {
    doomed.push_back(training_state_path(state_dir, kept[i]));
  }
  for (const fs::path& path : doomed) {
    fs::remove_all(path, ec);
    if (ec) return Status::io_error("removing " + path.string() + ": " + ec.message());
  }
  return Status::ok();
}

}  // namespace bahed::daemon
