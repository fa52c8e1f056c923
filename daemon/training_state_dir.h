#pragma once
// The daemon's private state directory: what a restarted daemon needs to
// continue training exactly where a published version left off, beyond what
// serving needs (the optimizer's moments, the RNG; trainer/training_state.h).
//
//   <state_dir>/v000123/{model.pt, optimizer.pt, trainer.pt}
//
// The state of version N is saved before version N is published, so every
// published version has its state unless the state directory was lost (the
// restart then falls back to the published weights and fresh moments).
// State folders of versions never published (a crash in between) are
// ignored and pruned.
#include <cstdint>
#include <filesystem>
#include <optional>

#include "common/status.h"

namespace bahed::daemon {

// `<state_dir>/v000123`.
std::filesystem::path training_state_path(const std::filesystem::path& state_dir, int64_t version);

// The folder of `version` when it holds a complete saved state.
std::optional<std::filesystem::path> find_training_state(const std::filesystem::path& state_dir, int64_t version);

// Keeps the newest `keep` version folders at or below `newest` and removes
// the others, as well as save leftovers (".tmp", ".old") and folders above
// `newest` (saved for a version that was never published).
[[nodiscard]] Status prune_training_states(const std::filesystem::path& state_dir, int64_t newest, int64_t keep);

}  // namespace bahed::daemon
