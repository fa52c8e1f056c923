#include "checkpoints/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "checkpoints/sha256.h"
#include "checkpoints/unique_fd.h"

namespace bahed::checkpoints {
namespace {

constexpr size_t kChunkBytes = size_t{1} << 16;

Status errno_status(std::string_view what, const std::filesystem::path& path) {
  std::string msg(what);
  msg.append(" ").append(path.string()).append(": ").append(std::strerror(errno));
  return Status::io_error(std::move(msg));
}

// Opens an existing regular file for reading without following symlinks.
Result<UniqueFd> open_regular(const std::filesystem::path& path, struct stat& st) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    if (errno == ENOENT) return Status::not_found("no such file " + path.string());
    if (errno == ELOOP) return Status::corruption(path.string() + " is a symbolic link");
    return errno_status("cannot open", path);
  }
  if (::fstat(fd.get(), &st) != 0) return errno_status("cannot stat", path);
  if (!S_ISREG(st.st_mode)) return Status::corruption(path.string() + " is not a regular file");
  return fd;
}

}  // namespace

Status write_file(const std::filesystem::path& path, std::string_view contents, mode_t mode, bool sync) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!fd.valid()) return errno_status("cannot create", path);
  const char* p = contents.data();
  size_t left = contents.size();
  while (left > 0) {
    const ssize_t n = ::write(fd.get(), p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("cannot write", path);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (sync && ::fsync(fd.get()) != 0) return errno_status("cannot fsync", path);
  if (::close(fd.release()) != 0) return errno_status("cannot close", path);
  return Status::ok();
}

Status sync_directory(const std::filesystem::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return errno_status("cannot open directory", dir);
  if (::fsync(fd.get()) != 0) return errno_status("cannot fsync directory", dir);
  return Status::ok();
}

Result<std::string> read_small_file(const std::filesystem::path& path, size_t max_size_bytes) {
  struct stat st {};
  BAHED_ASSIGN_OR_RETURN(UniqueFd fd, open_regular(path, st));
  if (static_cast<uint64_t>(st.st_size) > max_size_bytes) {
    return Status::corruption(path.string() + " has " + std::to_string(st.st_size) + " bytes, more than the " +
                              std::to_string(max_size_bytes) + " allowed");
  }
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::read(fd.get(), out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status("cannot read", path);
    if (n == 0) return Status::io_error(path.string() + " shrank while being read");
    done += static_cast<size_t>(n);
  }
  return out;
}

Result<FileDigest> digest_file(const std::filesystem::path& path, bool sync) {
  struct stat st {};
  BAHED_ASSIGN_OR_RETURN(UniqueFd fd, open_regular(path, st));
  if (sync && ::fsync(fd.get()) != 0) return errno_status("cannot fsync", path);
  Sha256 hash;
  std::array<char, kChunkBytes> chunk;  // NOLINT: filled before use
  FileDigest digest;
  for (;;) {
    const ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status("cannot read", path);
    if (n == 0) break;
    hash.update(chunk.data(), static_cast<size_t>(n));
    digest.size_bytes += static_cast<uint64_t>(n);
  }
  digest.sha256 = to_hex(hash.finish());
  return digest;
}

}  // namespace bahed::checkpoints
