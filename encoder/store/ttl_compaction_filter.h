#pragma once
// TTL for behavior vectors: a compaction filter on the vectors family that
// drops values whose last-seen day (in the value header) is more than
// ttl_days before today. Today comes from the injected clock when a
// compaction starts, so tests compact with a fake today. Values whose header
// cannot be parsed are kept: reads report them as corruption, and deleting
// data we cannot read would hide that.
//
// A dropped value may uncover an older version of the same key in a lower
// level until that is compacted too; it holds the same vector (keys include
// the encoder version), so a read returning it is still correct.
#include <rocksdb/compaction_filter.h>

#include <cstdint>
#include <memory>

#include "common/clock.h"

namespace bahed::encoder {

constexpr int64_t kMsPerDay = 86'400'000;

// Days since the Unix epoch (UTC) of a wall-clock time.
constexpr uint32_t epoch_day(int64_t now_ms) { return now_ms <= 0 ? 0u : static_cast<uint32_t>(now_ms / kMsPerDay); }

// True when a vector last seen on `last_seen_day` has expired on `today`.
constexpr bool is_expired(uint32_t last_seen_day, uint32_t today, uint32_t ttl_days) {
  return ttl_days > 0 && static_cast<uint64_t>(today) > static_cast<uint64_t>(last_seen_day) + ttl_days;
}

class TtlCompactionFilterFactory final : public rocksdb::CompactionFilterFactory {
 public:
  // `clock` must outlive the database the factory is installed in.
  TtlCompactionFilterFactory(const Clock& clock, uint32_t ttl_days) : clock_(clock), ttl_days_(ttl_days) {}

  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context& context) override;
  const char* Name() const override { return "bahed.TtlCompactionFilterFactory"; }

 private:
  const Clock& clock_;
  const uint32_t ttl_days_;
};

}  // namespace bahed::encoder
