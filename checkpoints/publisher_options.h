#pragma once
// PublisherOptions: where and how versions are published. YAML keys are
// `checkpoints.<name>` (`checkpoints.keep_versions`).
#include <cstdint>
#include <filesystem>

#include "common/status.h"

namespace bahed::checkpoints {

struct PublisherOptions {
  // Directory holding v000001/, v000002/, ... and LATEST. Created (parents
  // too) when missing. Readers (scorers, bahectl) need only read access.
  // Default: "" (required).
  std::filesystem::path publish_dir;
  // Complete versions kept; older ones are deleted after each publication
  // (never the one LATEST names). More versions allow rolling back further
  // at the cost of disk: each holds a full model.safetensors. Default: 5.
  int64_t keep_versions = 5;
  // fsync every file, each version folder and the publish directory before
  // LATEST moves, so a power loss never leaves LATEST naming a version with
  // missing data. Off only for tests and throwaway runs: a publication is
  // then cheaper but may be lost or torn by a crash. Default: true.
  bool fsync = true;
  // Permission bits for the publish directory (when created) and each
  // version folder; files get the same bits minus execute (0750 -> 0640).
  // Must grant the owner rwx. Default: 0750 (owner writes, group reads).
  uint32_t dir_mode = 0750;

  Status validate() const;
  // dir_mode without execute bits, for files.
  uint32_t file_mode() const { return dir_mode & 0666U; }
};

}  // namespace bahed::checkpoints
