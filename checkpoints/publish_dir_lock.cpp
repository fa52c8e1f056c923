#include "checkpoints/publish_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "checkpoints/version_layout.h"

namespace bahed::checkpoints {

Result<PublishDirLock> PublishDirLock::acquire(const std::filesystem::path& publish_dir, uint32_t file_mode) {
  const auto path = publish_dir / kLockFileName;
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, file_mode));
  if (!fd.valid()) return Status::io_error("cannot open " + path.string() + ": " + std::strerror(errno));
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) {
      return Status::unavailable("another publisher holds " + path.string() + " (one publisher per directory)");
    }
    return Status::io_error("cannot lock " + path.string() + ": " + std::strerror(errno));
  }
  return PublishDirLock(std::move(fd));
}

}  // namespace bahed::checkpoints
