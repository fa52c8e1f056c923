#include "daemon/rank_lineage.h"

#include <algorithm>
#include <sstream>

namespace bahed::daemon {

std::string RankLineage::encode() const {
  std::ostringstream out;
  out << "t " << targets_trained << " " << event_time_ms << "\n";
  for (const auto& [partition, offset] : offsets) out << "o " << partition << " " << offset << "\n";
  for (const auto& [partition, a] : audit.partitions) {
    out << "a " << partition << " " << a.n_targets << " " << a.offset_checksum << "\n";
  }
  return out.str();
}

Result<RankLineage> RankLineage::decode(std::string_view text) {
  RankLineage lineage;
  std::istringstream in{std::string(text)};
  std::string line;
  int64_t line_number = 0;
  bool has_totals = false;
  while (std::getline(in, line)) {
    ++line_number;
    std::istringstream fields(line);
    std::string tag;
    fields >> tag;
    bool parsed = false;
    if (tag == "t" && !has_totals) {
      parsed = static_cast<bool>(fields >> lineage.targets_trained >> lineage.event_time_ms);
      has_totals = true;
    } else if (tag == "o") {
      int32_t partition = 0;
      int64_t offset = 0;
      parsed = static_cast<bool>(fields >> partition >> offset) && lineage.offsets.emplace(partition, offset).second;
    } else if (tag == "a") {
      int32_t partition = 0;
      PartitionAudit a;
      parsed = static_cast<bool>(fields >> partition >> a.n_targets >> a.offset_checksum) &&
               lineage.audit.partitions.emplace(partition, a).second;
    }
    std::string rest;
    if (!parsed || (fields >> rest)) {
      return Status::invalid_argument("rank lineage line " + std::to_string(line_number) + " is not understood: '" +
                                      line + "' (every rank must run the same bahed build)");
    }
  }
  if (!has_totals) return Status::invalid_argument("rank lineage has no 't' line (every rank must run the same bahed build)");
  return lineage;
}

void RankLineage::merge(const RankLineage& other) {
  targets_trained += other.targets_trained;
  event_time_ms = std::max(event_time_ms, other.event_time_ms);
  for (const auto& [partition, offset] : other.offsets) {
    auto [it, inserted] = offsets.emplace(partition, offset);
    if (!inserted) it->second = std::max(it->second, offset);
  }
  for (const auto& [partition, a] : other.audit.partitions) {
    PartitionAudit& total = audit.partitions[partition];
    total.n_targets += a.n_targets;
    total.offset_checksum += a.offset_checksum;
  }
}

}  // namespace bahed::daemon
