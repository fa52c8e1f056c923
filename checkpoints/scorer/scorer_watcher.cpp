#include "checkpoints/scorer/scorer_watcher.h"

#include <pthread.h>

#include <chrono>
#include <cmath>

#include "checkpoints/version_layout.h"

namespace bahed::checkpoints {

ScorerWatcher::ScorerWatcher(const ScorerOptions& options, const WatcherOptions& watch, Logger logger)
    : options_(options), watch_(watch), logger_(std::move(logger)) {}

Result<std::unique_ptr<ScorerWatcher>> ScorerWatcher::start(const ScorerOptions& options, const WatcherOptions& watch,
                                                            Logger logger) {
  if (watch.poll_interval_ms < 1) return Status::invalid_argument("watcher: poll_interval_ms must be >= 1");
  std::unique_ptr<ScorerWatcher> w(new ScorerWatcher(options, watch, std::move(logger)));
  ScorerOptions first = options;
  first.version = 0;
  const auto started = std::chrono::steady_clock::now();
  BAHED_ASSIGN_OR_RETURN(std::unique_ptr<CtrScorer> scorer, CtrScorer::open(first, w->logger_));
  w->metrics_.last_load_ms.store(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
  w->metrics_.serving_version.store(scorer->version().version);
  w->last_seen_latest_ = scorer->version().version;
  if (auto latest = read_latest(options.publish_dir); latest.is_ok()) w->last_seen_latest_ = *latest;
  w->current_.store(std::shared_ptr<CtrScorer>(std::move(scorer)));
  w->thread_ = std::jthread([raw = w.get()](std::stop_token stop) { raw->run(stop); });
  return w;
}

ScorerWatcher::~ScorerWatcher() {
  thread_.request_stop();
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<CtrScorer> ScorerWatcher::current() const { return current_.load(); }

Status ScorerWatcher::load(int64_t version) {
  ScorerOptions o = options_;
  o.version = version;
  const auto started = std::chrono::steady_clock::now();
  auto scorer = CtrScorer::open(o, logger_);
  if (scorer.is_ok()) {
    // A first request before any real one: it pays the new version's
    // one-time costs (first-touch allocations, cold caches) off the hot
    // path, and a version that cannot score, or scores NaN, is refused.
    ScoreRequest canary;
    canary.history.push_back({options_.item_feature, "bahed scorer warm-up", BehaviorAction::kClicked});
    canary.candidates.push_back("bahed scorer warm-up");
    auto p = (*scorer)->score(canary);
    if (!p.is_ok()) {
      scorer = p.status().with_context("warm-up request");
    } else if (!std::isfinite(p->front())) {
      scorer = Status::corruption("v" + std::to_string(version) + " scores a warm-up request as NaN or infinite");
    }
  }
  if (!scorer.is_ok()) {
    metrics_.n_refused.fetch_add(1);
    logger_->warn("version_refused version={} keep_serving={} reason=\"{}\"", version,
                  metrics_.serving_version.load(), scorer.status().to_string());
    return scorer.status();
  }
  const int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  retired_.push_back(current_.exchange(std::shared_ptr<CtrScorer>(std::move(scorer).value())));
  metrics_.n_swaps.fetch_add(1);
  metrics_.last_load_ms.store(ms);
  metrics_.serving_version.store(version);
  logger_->info("version_swapped version={} load_ms={}", version, ms);
  return Status::ok();
}

void ScorerWatcher::release_retired() {
  // use_count() == 1: only retired_ holds it, and no request can take it
  // again (current_ no longer names it), so the count cannot rise.
  std::erase_if(retired_, [](const std::shared_ptr<CtrScorer>& s) { return s.use_count() == 1; });
}

void ScorerWatcher::poll_now() {
  std::lock_guard lock(load_mu_);
  release_retired();
  if (pinned_) return;
  const auto latest = read_latest(options_.publish_dir);
  if (!latest.is_ok() || *latest == last_seen_latest_) return;
  last_seen_latest_ = *latest;  // a refused version is not retried until LATEST moves
  if (*latest == metrics_.serving_version.load()) return;
  load(*latest).ignore();  // refused: logged and counted, the current one keeps serving
}

Status ScorerWatcher::rollback(int64_t version) {
  std::lock_guard lock(load_mu_);
  BAHED_RETURN_IF_ERROR(load(version));
  pinned_ = true;
  return Status::ok();
}

void ScorerWatcher::follow_latest() {
  std::lock_guard lock(load_mu_);
  pinned_ = false;
  last_seen_latest_ = 0;  // the next poll loads LATEST if it is not served
}

void ScorerWatcher::run(std::stop_token stop) {
  pthread_setname_np(pthread_self(), "bahed-watcher");
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(wake_mu_);
      wake_.wait_for(lock, stop, std::chrono::milliseconds(watch_.poll_interval_ms), [] { return false; });
    }
    if (stop.stop_requested()) break;
    poll_now();
  }
}

}  // namespace bahed::checkpoints
