#pragma once
// PublisherMetrics: what the publisher counts, read by /metrics from another
// thread (hence atomics). Each warn log of the publisher bumps one of these.
#include <atomic>
#include <cstdint>

namespace bahed::checkpoints {

struct PublisherMetrics {
  // Versions made visible (LATEST moved).
  std::atomic<int64_t> n_published{0};
  // publish() calls that returned an error (writer, disk, bad fields).
  std::atomic<int64_t> n_publish_failures{0};
  // Old versions deleted by retention.
  std::atomic<int64_t> n_versions_removed{0};
  // Old versions retention failed to delete (disk fills up if this grows).
  std::atomic<int64_t> n_retention_failures{0};
  // Leftovers of a crash (.tmp-* folders, LATEST.tmp) removed at open.
  std::atomic<int64_t> n_stale_temp_removed{0};
  // LATEST unreadable at open (rewritten by the next publication).
  std::atomic<int64_t> n_bad_latest{0};
  // Duration of the last successful publish(), writers included.
  std::atomic<int64_t> last_publish_ms{0};
  // Highest version made visible; 0 before the first.
  std::atomic<int64_t> latest_version{0};
};

}  // namespace bahed::checkpoints
