#pragma once
// TargetAudit: evidence that a model's lineage trained every labelled event
// exactly once. Per partition, the number of targets trained and an
// order-independent checksum of their offsets (a sum, mod 2^64, of a mixing
// hash of each offset). The trainer accumulates it, every manifest carries
// it, a restore continues from it, and `bahectl audit` recomputes it from
// the topic itself: a target trained twice or never changes the count or
// the checksum (a duplicate and an omission cancel only when two offsets'
// hashes collide, 2^-64 per pair).
#include <cstdint>
#include <map>

#include "common/event.h"
#include "common/splitmix64.h"

namespace bahed {

struct PartitionAudit {
  int64_t n_targets = 0;
  uint64_t offset_checksum = 0;

  bool operator==(const PartitionAudit&) const = default;
};

// Consecutive offsets map to unrelated words, so sums of different offset
// sets rarely collide.
inline uint64_t audit_offset_hash(int64_t offset) { return splitmix64(static_cast<uint64_t>(offset)); }

struct TargetAudit {
  std::map<int32_t, PartitionAudit> partitions;

  void add(const SourcePosition& target) {
    PartitionAudit& p = partitions[target.partition];
    p.n_targets += 1;
    p.offset_checksum += audit_offset_hash(target.offset);
  }
  int64_t n_targets() const {
    int64_t n = 0;
    for (const auto& [partition, audit] : partitions) n += audit.n_targets;
    return n;
  }
  bool operator==(const TargetAudit&) const = default;
};

}  // namespace bahed
