#include "trainer/pending_targets.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <string_view>

#include <c10/util/Exception.h>

namespace bahed::trainer {

PendingTargets::PendingTargets(int64_t n_targets_per_row, int64_t max_wait_ms, int64_t max_pending_targets,
                               const Clock& clock)
    : n_targets_per_row_(n_targets_per_row),
      max_wait_ms_(max_wait_ms),
      max_pending_targets_(max_pending_targets),
      clock_(clock) {
  TORCH_CHECK(n_targets_per_row >= 1 && max_wait_ms >= 0 && max_pending_targets >= 1,
              "PendingTargets: n_targets_per_row=", n_targets_per_row, " max_wait_ms=", max_wait_ms,
              " max_pending_targets=", max_pending_targets);
}

Status PendingTargets::add(const EncodedBatch& batch) {
  if (!batch.targets.empty()) {
    if (batch.dimension == 0 || (dimension_ != 0 && batch.dimension != dimension_)) {
      return Status::invalid_argument("trainer: batch vectors have dimension " + std::to_string(batch.dimension) +
                                      ", expected " + std::to_string(dimension_));
    }
    if (batch.vectors.size() % batch.dimension != 0) {
      return Status::invalid_argument("trainer: batch vectors are not a whole number of rows");
    }
    const size_t n_vectors = batch.n_vectors();
    for (const EncodedTarget& target : batch.targets) {
      bool in_range = target.item_vector < n_vectors;
      for (const ContextBehavior& behavior : target.context) in_range = in_range && behavior.vector < n_vectors;
      if (!in_range) {
        return Status::invalid_argument("trainer: target of user " + target.user + " at offset " +
                                        std::to_string(target.source.offset) + " indexes past the batch's " +
                                        std::to_string(n_vectors) + " vectors");
      }
    }
    dimension_ = batch.dimension;
  }
  for (const EncodedTarget& target : batch.targets) add_target(batch, target);
  for (const PartitionWatermark& w : batch.consumed_through) {
    int64_t& next = consumed_[w.partition];
    next = std::max(next, w.next_offset);
  }
  emit_expired();
  emit_oldest_over_cap();
  return Status::ok();
}

uint32_t PendingTargets::intern_vector(const float* vector, UserRow& row) {
  const size_t bytes = dimension_ * sizeof(float);
  const uint64_t hash = std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(vector), bytes));
  const auto [begin, end] = row.by_hash.equal_range(hash);
  for (auto it = begin; it != end; ++it) {
    if (std::memcmp(row.vectors.data() + static_cast<size_t>(it->second) * dimension_, vector, bytes) == 0) {
      return it->second;
    }
  }
  const auto id = static_cast<uint32_t>(row.vectors.size() / dimension_);
  row.vectors.insert(row.vectors.end(), vector, vector + dimension_);
  row.by_hash.emplace(hash, id);
  return id;
}

EncodedTarget PendingTargets::intern(const EncodedBatch& batch, const EncodedTarget& target, UserRow& row) {
  EncodedTarget local = target;
  for (ContextBehavior& behavior : local.context) behavior.vector = intern_vector(batch.vector(behavior.vector), row);
  local.item_vector = intern_vector(batch.vector(target.item_vector), row);
  return local;
}

void PendingTargets::add_target(const EncodedBatch& batch, const EncodedTarget& target) {
  auto start_row = [&]() -> UserRow& {
    UserRow& row = users_[target.user];
    row.generation = next_generation_++;
    deadlines_.push_back({clock_.steady_ms() + max_wait_ms_, target.user, row.generation});
    return row;
  };
  auto found = users_.find(target.user);
  UserRow* row = found != users_.end() ? &found->second : &start_row();
  untrained_[target.source.partition].insert(target.source.offset);
  if (!row->packer.try_add(intern(batch, target, *row))) {
    // The context does not continue this row: close it and start another.
    if (row->packer.n_targets() > 0) {
      emit(target.user);
      row = &start_row();
    }
    if (!row->packer.try_add(intern(batch, target, *row))) {
      // Out of Kafka order even alone: a row of its own with the context as
      // given (as pack_encoded_targets does).
      ReadyRow alone;
      alone.spec = single_target_row(intern(batch, target, *row));
      alone.vectors = std::move(row->vectors);
      alone.sources.push_back(target.source);
      users_.erase(target.user);
      push_ready(std::move(alone));
      return;
    }
  }
  row->sources.push_back(target.source);
  ++n_pending_;
  if (row->packer.n_targets() >= n_targets_per_row_) emit(target.user);
}

void PendingTargets::emit(const std::string& user) {
  auto it = users_.find(user);
  if (it == users_.end()) return;
  UserRow& row = it->second;
  if (row.packer.n_targets() > 0) {
    n_pending_ -= row.packer.n_targets();
    push_ready({row.packer.take(), std::move(row.vectors), std::move(row.sources)});
  }
  users_.erase(it);
}

void PendingTargets::emit_expired() {
  const int64_t now = clock_.steady_ms();
  while (!deadlines_.empty() && deadlines_.front().due_ms <= now) {
    const Deadline deadline = std::move(deadlines_.front());
    deadlines_.pop_front();
    const auto it = users_.find(deadline.user);
    if (it != users_.end() && it->second.generation == deadline.generation) emit(deadline.user);
  }
}

void PendingTargets::emit_oldest_over_cap() {
  // Rows started first leave first: deadlines_ is in the order rows began.
  while (n_pending_ > max_pending_targets_ && !deadlines_.empty()) {
    const Deadline deadline = std::move(deadlines_.front());
    deadlines_.pop_front();
    const auto it = users_.find(deadline.user);
    if (it != users_.end() && it->second.generation == deadline.generation) emit(deadline.user);
  }
}

void PendingTargets::push_ready(ReadyRow row) {
  n_ready_targets_ += static_cast<int64_t>(row.spec.targets.size());
  ready_.push_back(std::move(row));
}

void PendingTargets::flush() {
  while (!users_.empty()) emit(users_.begin()->first);
  deadlines_.clear();
}

std::vector<ReadyRow> PendingTargets::take_ready(int64_t max_targets) {
  std::vector<ReadyRow> out;
  int64_t n_targets = 0;
  while (!ready_.empty()) {
    const auto n = static_cast<int64_t>(ready_.front().spec.targets.size());
    if (!out.empty() && n_targets + n > max_targets) break;
    n_targets += n;
    n_ready_targets_ -= n;
    out.push_back(std::move(ready_.front()));
    ready_.pop_front();
  }
  return out;
}

void PendingTargets::mark_trained(const std::vector<ReadyRow>& rows) {
  for (const ReadyRow& row : rows) {
    for (const SourcePosition& source : row.sources) {
      std::multiset<int64_t>& offsets = untrained_[source.partition];
      const auto it = offsets.find(source.offset);
      TORCH_CHECK(it != offsets.end(), "PendingTargets: offset ", source.offset, " of partition ", source.partition,
                  " marked trained twice");
      offsets.erase(it);
    }
  }
}

std::vector<PartitionWatermark> PendingTargets::trained_through() const {
  std::map<int32_t, int64_t> through = consumed_;
  for (const auto& [partition, offsets] : untrained_) {
    if (offsets.empty()) continue;
    const auto it = through.find(partition);
    const int64_t next = it == through.end() ? std::numeric_limits<int64_t>::max() : it->second;
    through[partition] = std::min(next, *offsets.begin());
  }
  std::vector<PartitionWatermark> out;
  for (const auto& [partition, next] : through) out.push_back({partition, next});
  return out;
}

}  // namespace bahed::trainer
