#pragma once
// Where a starting daemon continues from: the newest published version that
// verifies (checkpoints::newest_valid; a corrupt newer one is skipped and
// logged) and, when the private state directory has it, that version's
// training state. Restoring loads the trainer's parameters (from the state,
// else from the version's model.safetensors with fresh optimizer moments)
// and its lineage (steps, targets trained, audit); the consumer then seeks
// every partition to the version's offsets, so each event after them is
// trained once more from exactly the state that had not yet seen it.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "checkpoints/checkpoint_publisher.h"
#include "common/logger.h"
#include "common/result.h"
#include "trainer/ctr_trainer.h"

namespace bahed::daemon {

struct RestorePoint {
  checkpoints::VersionInfo version;
  // Its training state folder; nullopt when the state directory lacks it.
  std::optional<std::filesystem::path> state;
};

// nullopt when nothing valid is published yet (a fresh start). Logs every
// version passed over and why, and counts them in *n_refused (if given).
Result<std::optional<RestorePoint>> find_restore_point(const std::filesystem::path& publish_dir,
                                                       const std::filesystem::path& state_dir, const Logger& logger,
                                                       int64_t* n_refused = nullptr);

// Fingerprints the current run computes for its base model and encoder.
struct ModelIdentity {
  std::string base_model_fingerprint;
  std::string encoder_fingerprint;
};

// Loads `point` into `trainer` (built with the daemon's options);
// InvalidArgument, naming the settings to fix, when the version was trained
// from another base model or encoder; Corruption when its files do not fit
// the model.
[[nodiscard]] Status restore_trainer(const RestorePoint& point, const ModelIdentity& identity,
                                     trainer::Trainer& trainer, const Logger& logger);

}  // namespace bahed::daemon
