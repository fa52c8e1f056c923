#include "checkpoints/publisher_options.h"

#include <string>

namespace bahed::checkpoints {

Status PublisherOptions::validate() const {
  if (publish_dir.empty()) return Status::invalid_argument("checkpoints.publish_dir must be set");
  if (keep_versions < 1) {
    return Status::invalid_argument("checkpoints.keep_versions must be >= 1, got " + std::to_string(keep_versions));
  }
  if (dir_mode > 0777U || (dir_mode & 0700U) != 0700U) {
    return Status::invalid_argument("checkpoints.dir_mode must be within 0777 and grant the owner rwx (e.g. 0750)");
  }
  return Status::ok();
}

}  // namespace bahed::checkpoints
