#include "common/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace bahed {
namespace {

Status errno_status(const std::string& what, const std::filesystem::path& path) {
  const int err = errno;
  const std::string message = what + " " + path.string() + ": " + std::strerror(err);
  return err == ENOENT ? Status::not_found(message) : Status::io_error(message);
}

// Closes the descriptor on every return path.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Status sync_path(const std::filesystem::path& path) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return errno_status("opening", path);
  if (::fsync(f.fd) != 0) return errno_status("fsync of", path);
  return Status::ok();
}

Status write_file_atomically(const std::filesystem::path& path, std::string_view contents) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    Fd f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
    if (f.fd < 0) return errno_status("creating", tmp);
    size_t done = 0;
    while (done < contents.size()) {
      const ssize_t n = ::write(f.fd, contents.data() + done, contents.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errno_status("writing", tmp);
      done += static_cast<size_t>(n);
    }
    if (::fsync(f.fd) != 0) return errno_status("fsync of", tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return errno_status("renaming to", path);
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  return sync_path(dir);
}

Result<std::string> read_whole_file(const std::filesystem::path& path) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return errno_status("opening", path);
  std::string out;
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status("reading", path);
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace bahed
