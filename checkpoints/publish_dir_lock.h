#pragma once
// PublishDirLock: the one-publisher-per-directory guarantee. Two publishers
// on one directory would hand out the same version number and delete each
// other's temporary folders, so the publisher holds an exclusive flock(2) on
// `<publish_dir>/.lock` for its lifetime. The kernel drops the lock when the
// process dies, so a crash never leaves the directory locked.
#include <filesystem>

#include "checkpoints/unique_fd.h"
#include "common/result.h"

namespace bahed::checkpoints {

class PublishDirLock {
 public:
  // Takes the lock without waiting; Unavailable when another publisher (in
  // this process or another) holds it.
  static Result<PublishDirLock> acquire(const std::filesystem::path& publish_dir, uint32_t file_mode);

 private:
  explicit PublishDirLock(UniqueFd fd) : fd_(std::move(fd)) {}
  // Closing the descriptor releases the lock.
  UniqueFd fd_;
};

}  // namespace bahed::checkpoints
