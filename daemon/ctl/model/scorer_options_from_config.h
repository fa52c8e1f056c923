#pragma once
// The scorer's options for the daemon a configuration describes: its base
// model and split, its store and how the store keeps vectors, its item
// feature. Shared by bahectl score and bahectl bench score.
#include <cstdint>
#include <string>

#include "checkpoints/scorer/ctr_scorer.h"
#include "daemon/daemon_config.h"

namespace bahed::ctl {

// `checkpoint` overrides checkpoints.publish_dir when not empty; `version`
// 0 is the newest valid one.
inline checkpoints::ScorerOptions scorer_options_from_config(const daemon::DaemonConfig& config,
                                                             const std::string& checkpoint, int64_t version) {
  checkpoints::ScorerOptions options;
  options.publish_dir = checkpoint.empty() ? config.checkpoints.publish_dir : checkpoint;
  options.version = version;
  options.llm = config.llm_options();
  options.shallow = config.encoder.shallow;
  options.store_path = config.store.options.path;
  options.vector_dtype = config.store_options().vector_dtype;
  options.item_feature = config.encoder.behaviors.item_feature;
  return options;
}

}  // namespace bahed::ctl
