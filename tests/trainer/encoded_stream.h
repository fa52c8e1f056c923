#pragma once
// What the encoder stage emits for a few users, cut into several
// EncodedBatches, each with its own vector table and row numbering, for the
// streaming trainer tests. Header-only test helper.
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "common/encoded_batch.h"

namespace bahed::trainer::test {

// One event of a scripted stream: a plain behavior ('B') or a labelled
// impression ('I') of `user`, at consecutive offsets of `partition`.
struct StreamEvent {
  std::string user;
  char kind = 'B';
  int32_t partition = 0;
};

class EncodedStream {
 public:
  EncodedStream(uint32_t dimension, size_t n_context, uint64_t seed = 1) : dimension_(dimension), n_context_(n_context), rng_(seed) {}

  // Appends events at the next offsets (starting at 100 per partition).
  void append(const std::vector<StreamEvent>& events) {
    for (const StreamEvent& e : events) {
      int64_t& next = next_offset_[e.partition];
      if (next == 0) next = 100;
      const SourcePosition source{e.partition, next++};
      std::vector<ContextBehavior>& history = history_[e.user];
      if (e.kind == 'B') {
        history.push_back({new_vector(), BehaviorAction::kNone, source, 1000 * source.offset});
        continue;
      }
      EncodedTarget t;
      t.user = e.user;
      t.event_time_ms = 1000 * source.offset;
      t.label = static_cast<int>(rng_() % 2);
      t.source = source;
      t.item_id = std::to_string(targets_.size());
      t.item_vector = new_vector();
      const size_t begin = history.size() > n_context_ ? history.size() - n_context_ : 0;
      t.context.assign(history.begin() + static_cast<std::ptrdiff_t>(begin), history.end());
      history.push_back({t.item_vector, action_of_label(t.label), source, t.event_time_ms});
      targets_.push_back(t);
    }
  }

  // Targets [first, last) as one EncodedBatch with its own table: vectors in
  // reverse order of first use, so batch row numbers differ from global ids.
  EncodedBatch batch(size_t first, size_t last) const {
    EncodedBatch out;
    out.dimension = dimension_;
    std::map<uint32_t, uint32_t> local;
    std::vector<uint32_t> used;
    auto use = [&](uint32_t id) {
      if (local.emplace(id, 0).second) used.push_back(id);
    };
    for (size_t i = first; i < last; ++i) {
      for (const ContextBehavior& b : targets_[i].context) use(b.vector);
      use(targets_[i].item_vector);
    }
    for (size_t r = 0; r < used.size(); ++r) {
      const uint32_t id = used[used.size() - 1 - r];
      local[id] = static_cast<uint32_t>(r);
      out.vectors.insert(out.vectors.end(), vectors_.begin() + id * dimension_, vectors_.begin() + (id + 1) * dimension_);
    }
    for (size_t i = first; i < last; ++i) {
      EncodedTarget t = targets_[i];
      for (ContextBehavior& b : t.context) b.vector = local[b.vector];
      t.item_vector = local[t.item_vector];
      out.targets.push_back(t);
    }
    for (const auto& [partition, next] : next_offset_) out.consumed_through.push_back({partition, next});
    return out;
  }

  const std::vector<EncodedTarget>& targets() const { return targets_; }
  // Global vector `id`.
  std::vector<float> vector(uint32_t id) const {
    return {vectors_.begin() + id * dimension_, vectors_.begin() + (id + 1) * dimension_};
  }

 private:
  uint32_t new_vector() {
    std::normal_distribution<float> normal;
    for (uint32_t d = 0; d < dimension_; ++d) vectors_.push_back(normal(rng_));
    return static_cast<uint32_t>(vectors_.size() / dimension_ - 1);
  }

  uint32_t dimension_;
  size_t n_context_;
  std::mt19937_64 rng_;
  std::vector<float> vectors_;
  std::map<std::string, std::vector<ContextBehavior>> history_;
  std::map<int32_t, int64_t> next_offset_;
  std::vector<EncodedTarget> targets_;
};

}  // namespace bahed::trainer::test
