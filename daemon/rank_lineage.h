#pragma once
// RankLineage: what one rank of a data-parallel group tells rank 0 (or rank
// 0 tells the others) through the rendezvous store: targets trained, the
// newest event time, the next offset per partition and the target audit.
// Two exchanges use it: at start, rank 0's restored version (so every rank
// resumes from the same offsets and event time); at each lockstep
// publication, every rank's lineage, which rank 0 merges into the one
// manifest. One text format for both, one parser that refuses what it does
// not understand (a rank of another build would otherwise be misread
// silently).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/target_audit.h"

namespace bahed::daemon {

struct RankLineage {
  int64_t targets_trained = 0;
  int64_t event_time_ms = 0;             // newest event time trained (or restored)
  std::map<int32_t, int64_t> offsets;    // partition -> next offset
  TargetAudit audit;

  // Lines of "t <targets> <event time>", "o <partition> <next offset>",
  // "a <partition> <targets> <offset checksum>".
  std::string encode() const;
  static Result<RankLineage> decode(std::string_view text);

  // Adds another rank's lineage: counts and checksums add up, the event
  // time and each partition's offset are the furthest of the two (ranks
  // train disjoint partitions; a restored partition no rank read since
  // keeps its offset).
  void merge(const RankLineage& other);

  bool operator==(const RankLineage&) const = default;
};

}  // namespace bahed::daemon
