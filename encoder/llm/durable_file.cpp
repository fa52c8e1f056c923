#include "encoder/llm/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace bahed::encoder {
namespace {

Status errno_status(std::string_view what, const std::filesystem::path& path) {
  return Status::io_error(std::string(what) + " " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

Result<DurableFileWriter> DurableFileWriter::create(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_status("cannot create", path);
  return DurableFileWriter(fd, path);
}

DurableFileWriter::DurableFileWriter(DurableFileWriter&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

DurableFileWriter& DurableFileWriter::operator=(DurableFileWriter&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

DurableFileWriter::~DurableFileWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status DurableFileWriter::append(const void* data, size_t size) {
  if (fd_ < 0) return Status::internal("append to a closed file " + path_.string());
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd_, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("cannot write", path_);
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return Status::ok();
}

Status DurableFileWriter::close() {
  if (fd_ < 0) return Status::internal("close of a closed file " + path_.string());
  const int fd = std::exchange(fd_, -1);
  if (::fsync(fd) != 0) {
    const Status s = errno_status("cannot fsync", path_);
    ::close(fd);
    return s;
  }
  if (::close(fd) != 0) return errno_status("cannot close", path_);
  return Status::ok();
}

Status write_file_durably(const std::filesystem::path& path, std::string_view contents) {
  BAHED_ASSIGN_OR_RETURN(DurableFileWriter writer, DurableFileWriter::create(path));
  BAHED_RETURN_IF_ERROR(writer.append(contents));
  return writer.close();
}

Status sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status("cannot open directory", dir);
  const int rc = ::fsync(fd);
  const Status s = rc == 0 ? Status::ok() : errno_status("cannot fsync directory", dir);
  ::close(fd);
  return s;
}

Result<std::string> read_small_file(const std::filesystem::path& path, size_t max_size_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::not_found("no such file " + path.string());
    return errno_status("cannot open", path);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const Status s = errno_status("cannot stat", path);
    ::close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) > max_size_bytes) {
    ::close(fd);
    return Status::invalid_argument(path.string() + " is not a regular file of at most " +
                                    std::to_string(max_size_bytes) + " bytes");
  }
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const Status s = n < 0 ? errno_status("cannot read", path)
                             : Status::io_error(path.string() + " shrank while being read");
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return out;
}

}  // namespace bahed::encoder
