#pragma once
// ScorerWatcher: keeps serving the newest published version without
// stopping. A named thread ("bahed-watcher") polls LATEST; when it names a
// newer version, it opens and verifies a new CtrScorer off the hot path and
// swaps it in atomically: requests that already hold the old scorer finish
// on it, new ones get the new one. Before the swap it scores one warm-up
// request (a version's first request is slow: cold caches, first-touch
// allocations). A version that fails to load (bad hash, truncated file,
// another base model) or to score the warm-up (NaN) is refused, logged and counted, and
// the current one keeps serving; it is not retried until LATEST moves again.
// rollback() pins a named older version until follow_latest().
//
// Memory: during a swap both versions are loaded (each with its copy of
// the base model). The old one is released by the watcher's thread once
// its last request has ended, never by a request's thread: freeing a model
// is not free, and it must not land on a request's latency.
//
// Thread safety: every method may be called from any thread.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "checkpoints/scorer/ctr_scorer.h"

namespace bahed::checkpoints {

struct WatcherOptions {
  // How often LATEST is read. Default: 1000.
  int64_t poll_interval_ms = 1000;
};

struct WatcherMetrics {
  std::atomic<int64_t> n_swaps{0};
  std::atomic<int64_t> n_refused{0};    // versions that failed to load
  std::atomic<int64_t> last_load_ms{0};  // time to open the last version swapped in
  std::atomic<int64_t> serving_version{0};
};

class ScorerWatcher {
 public:
  // Opens the newest valid version (options.version is ignored) and starts
  // watching. Fails as CtrScorer::open does.
  static Result<std::unique_ptr<ScorerWatcher>> start(const ScorerOptions& options, const WatcherOptions& watch,
                                                      Logger logger);
  ~ScorerWatcher();

  // The scorer to use for one request (keep it for the request's duration).
  std::shared_ptr<CtrScorer> current() const;
  // Loads `version` now (verified) and serves it until follow_latest();
  // the current one keeps serving if it fails.
  Status rollback(int64_t version);
  // Resumes following LATEST from the next poll.
  void follow_latest();
  // Checks LATEST once now (what the thread does every poll interval).
  void poll_now();
  const WatcherMetrics& metrics() const { return metrics_; }

 private:
  ScorerWatcher(const ScorerOptions& options, const WatcherOptions& watch, Logger logger);
  void run(std::stop_token stop);
  Status load(int64_t version);

  const ScorerOptions options_;
  const WatcherOptions watch_;
  Logger logger_;
  WatcherMetrics metrics_;
  std::atomic<std::shared_ptr<CtrScorer>> current_;
  // Scorers swapped out, until no request holds them; guarded by load_mu_.
  std::vector<std::shared_ptr<CtrScorer>> retired_;
  void release_retired();
  std::mutex load_mu_;                 // one load at a time (poll, rollback)
  int64_t last_seen_latest_ = 0;       // guarded by load_mu_
  bool pinned_ = false;                // guarded by load_mu_
  std::mutex wake_mu_;
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: stops before the fields above go
};

}  // namespace bahed::checkpoints
