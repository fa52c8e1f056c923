#pragma once
// FileSizeLimit: lowers RLIMIT_FSIZE while alive, with SIGXFSZ ignored, so a
// write past the limit fails with EFBIG the way a write to a full disk fails
// with ENOSPC: a write failure in a test without mounting anything. The
// limit is process-wide: keep the scope to the calls under test. Header-only
// test helper.
#include <sys/resource.h>

#include <csignal>

namespace bahed::testing {

class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t size_bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{size_bytes, saved_.rlim_max};
    ok_ = ::setrlimit(RLIMIT_FSIZE, &limit) == 0;
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_handler_);
  }
  // False when the limit could not be set (the test then proves nothing).
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  void (*previous_handler_)(int) = SIG_DFL;
  bool ok_ = false;
};

}  // namespace bahed::testing
