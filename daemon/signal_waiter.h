#pragma once
// SignalWaiter: blocks SIGTERM, SIGINT and SIGHUP in the calling thread (and
// so in every thread started after it) and lets the main thread wait for them
// synchronously with sigtimedwait. No signal handler runs, so no global flag
// is needed. Construct it before starting any thread.
#include <signal.h>

namespace bahed::daemon {

class SignalWaiter {
 public:
  SignalWaiter();
  // Waits up to `timeout_ms`; returns the signal number, or 0 on timeout.
  int wait_for(int timeout_ms);

 private:
  sigset_t set_;
};

}  // namespace bahed::daemon
