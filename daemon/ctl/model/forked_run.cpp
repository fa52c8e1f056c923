#include "daemon/ctl/model/forked_run.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <string_view>

namespace bahed::ctl {
namespace {

bool write_all(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Child side: run, then send [rss_start, peak, payload].
[[noreturn]] void child_main(int fd, const std::function<std::string()>& fn) {
  {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";  // resets VmHWM to the current RSS (Linux >= 4.0)
  }
  int status = 0;
  try {
    const int64_t start = read_proc_status_bytes("VmRSS");
    const std::string payload = fn();
    const int64_t peak = read_proc_status_bytes("VmHWM");
    if (!write_all(fd, &start, sizeof start) || !write_all(fd, &peak, sizeof peak) ||
        !write_all(fd, payload.data(), payload.size())) {
      status = 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "forked run failed: %s\n", e.what());
    status = 1;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  ::close(fd);
  ::_exit(status);
}

}  // namespace

int64_t read_proc_status_bytes(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string_view prefix(field);
  while (std::getline(in, line)) {
    if (line.compare(0, prefix.size(), prefix) == 0 && line.size() > prefix.size() && line[prefix.size()] == ':') {
      return std::stoll(line.substr(prefix.size() + 1)) * 1024;  // "VmHWM:   123456 kB"
    }
  }
  return 0;
}

Result<ForkedResult> run_forked(const std::function<std::string()>& fn) {
  int fds[2];
  if (::pipe(fds) != 0) return Status::internal(std::string("pipe: ") + std::strerror(errno));
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return Status::internal(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(fds[1], fn);
  }
  ::close(fds[1]);
  std::string bytes;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    bytes.append(buffer, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || bytes.size() < 2 * sizeof(int64_t)) {
    return Status::aborted(WIFSIGNALED(status) ? "child killed by signal " + std::to_string(WTERMSIG(status))
                                               : "child failed (status " + std::to_string(WEXITSTATUS(status)) + ")");
  }
  ForkedResult result;
  std::memcpy(&result.rss_start_bytes, bytes.data(), sizeof(int64_t));
  std::memcpy(&result.peak_rss_bytes, bytes.data() + sizeof(int64_t), sizeof(int64_t));
  result.payload = bytes.substr(2 * sizeof(int64_t));
  return result;
}

}  // namespace bahed::ctl
