#pragma once
// Runs a function in a forked child process, to measure its peak memory on
// its own: the child resets its peak-RSS mark (/proc/self/clear_refs) at
// the start, so VmHWM counts only what the function adds to the parent's
// image (which the child shares), and a finished child returns everything
// it allocated. The function's result comes back as bytes over a pipe.
//
// Blocking; one child at a time. The child never returns into the caller:
// it ends with _exit() after writing its result, so no destructor or
// atexit handler runs twice.
#include <cstdint>
#include <functional>
#include <string>

#include "common/result.h"

namespace bahed::ctl {

struct ForkedResult {
  std::string payload;           // what the function returned
  int64_t rss_start_bytes = 0;   // child's VmRSS before the function ran
  int64_t peak_rss_bytes = 0;    // child's VmHWM after it (peak since the reset)

  int64_t peak_delta_bytes() const { return peak_rss_bytes - rss_start_bytes; }
};

// Internal when fork or the pipe fails, Aborted when the child dies or
// exits non-zero (its stderr is the caller's stderr). A function that
// throws ends the child with an error message and status 1.
Result<ForkedResult> run_forked(const std::function<std::string()>& fn);

// "VmHWM" / "VmRSS" of this process, bytes (0 when unreadable).
int64_t read_proc_status_bytes(const char* field);

}  // namespace bahed::ctl
