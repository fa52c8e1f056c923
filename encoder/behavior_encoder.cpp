#include "encoder/behavior_encoder.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "encoder/behavior_set.h"

namespace bahed::encoder {
namespace {

constexpr uint32_t kNoRow = std::numeric_limits<uint32_t>::max();

class StageTimer {
 public:
  explicit StageTimer(std::atomic<uint64_t>& sink) : sink_(sink), start_(std::chrono::steady_clock::now()) {}
  ~StageTimer() {
    sink_.fetch_add(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              std::chrono::steady_clock::now() - start_)
                                              .count()),
                    std::memory_order_relaxed);
  }

 private:
  std::atomic<uint64_t>& sink_;
  std::chrono::steady_clock::time_point start_;
};

// A stored history entry strictly before (partition, offset)? Entries of
// another partition are older: a user's events move partitions only when
// the topic is repartitioned, and then the old partition's are all earlier.
bool before(const HistoryEntry& e, const SourcePosition& at) {
  return e.partition != at.partition || e.offset < at.offset;
}

// What the event adds to its user's history besides the behavior.
BehaviorAction action_of(const Event& e) {
  return e.type == EventType::kImpression ? action_of_label(e.label) : BehaviorAction::kNone;
}

// One user's events in the batch and the stored entries that precede them.
struct UserSlice {
  std::vector<size_t> events;          // indices into EventBatch::events, in order
  std::vector<HistoryEntry> stored;    // last n stored entries before events[0]
  std::vector<uint32_t> stored_behavior;  // BehaviorSet index of each stored entry
};

}  // namespace

Result<std::unique_ptr<BehaviorEncoder>> BehaviorEncoder::create(const BehaviorEncoderOptions& options,
                                                                 BehaviorStore& store, TextEncoder& text_encoder) {
  BAHED_RETURN_IF_ERROR(options.validate());
  const EncoderSpec& spec = store.encoder();
  if (spec.version != text_encoder.fingerprint() || spec.dimension != text_encoder.dimension()) {
    return Status::invalid_argument("behavior store is open for encoder version " + std::to_string(spec.version) +
                                    " (dimension " + std::to_string(spec.dimension) +
                                    ") but the model's shallow encoder is " +
                                    std::to_string(text_encoder.fingerprint()) + " (dimension " +
                                    std::to_string(text_encoder.dimension()) + ")");
  }
  return std::unique_ptr<BehaviorEncoder>(new BehaviorEncoder(options, store, text_encoder));
}

BehaviorEncoder::BehaviorEncoder(const BehaviorEncoderOptions& options, BehaviorStore& store,
                                 TextEncoder& text_encoder)
    : options_(options), store_(store), text_encoder_(text_encoder) {}

Status BehaviorEncoder::resolve(BehaviorSet& behaviors, std::vector<uint32_t>& row_of, EncodedBatch* out,
                                PrefetchReport* report) {
  const uint64_t version = text_encoder_.fingerprint();
  const uint32_t dim = text_encoder_.dimension();
  row_of.assign(behaviors.size(), kNoRow);
  uint32_t n_rows = 0;
  std::vector<uint32_t> misses;
  {
    StageTimer timer(metrics_.lookup_ns);
    std::vector<BehaviorKey> keys(behaviors.size());
    for (uint32_t b = 0; b < behaviors.size(); ++b) keys[b] = {version, behaviors[b].hash};
    BAHED_ASSIGN_OR_RETURN(std::vector<VectorLookup> found, store_.multi_get_vectors(keys));
    for (uint32_t b = 0; b < behaviors.size(); ++b) {
      if (!found[b].found) {
        misses.push_back(b);
        continue;
      }
      row_of[b] = n_rows++;
      if (out) out->vectors.insert(out->vectors.end(), found[b].values.begin(), found[b].values.end());
    }
    // Stored history behaviors missing under this version: their text is
    // in the store (written with their first vector).
    std::vector<Hash128> unknown;
    std::vector<uint32_t> unknown_index;
    for (uint32_t b : misses) {
      if (!behaviors[b].text_known) {
        unknown.push_back(behaviors[b].hash);
        unknown_index.push_back(b);
      }
    }
    if (!unknown.empty()) {
      BAHED_ASSIGN_OR_RETURN(auto texts, store_.multi_get_texts(unknown));
      for (size_t u = 0; u < unknown.size(); ++u) {
        if (!texts[u]) continue;
        auto& b = behaviors[unknown_index[u]];
        b.feature = std::move(texts[u]->feature);
        b.text = std::move(texts[u]->text);
        b.text_known = true;
        metrics_.reencoded_from_text.fetch_add(1, std::memory_order_relaxed);
      }
      std::erase_if(misses, [&](uint32_t b) {
        if (behaviors[b].text_known) return false;
        metrics_.context_missing.fetch_add(1, std::memory_order_relaxed);
        if (report) ++report->missing_text;
        return true;
      });
    }
  }
  const uint64_t n_hits = n_rows;
  metrics_.lookup_hits.fetch_add(n_hits, std::memory_order_relaxed);
  metrics_.lookup_misses.fetch_add(misses.size(), std::memory_order_relaxed);
  if (report) {
    report->distinct += behaviors.size();
    report->hits += n_hits;
    report->encoded += misses.size();
  }

  // Encode the misses once each and store them.
  if (!misses.empty()) {
    std::vector<std::string> texts;
    texts.reserve(misses.size());
    for (uint32_t b : misses) texts.push_back(behaviors[b].text);
    std::vector<float> values;
    {
      StageTimer timer(metrics_.encode_ns);
      BAHED_ASSIGN_OR_RETURN(values, text_encoder_.encode(texts));
    }
    if (values.size() != misses.size() * dim) {
      return Status::internal("text encoder returned " + std::to_string(values.size()) + " floats for " +
                              std::to_string(misses.size()) + " texts of dimension " + std::to_string(dim));
    }
    // The trainer gets what the store will return later (and the scorer
    // reads): the same vector for a behavior seen now or replayed.
    for (float& v : values) v = round_to_vector_dtype(v, store_.options().vector_dtype);
    std::vector<BehaviorRecord> records;
    records.reserve(misses.size());
    for (size_t m = 0; m < misses.size(); ++m) {
      const auto& b = behaviors[misses[m]];
      records.push_back({BehaviorKey{version, b.hash}, b.feature, b.text,
                         std::span<const float>(values.data() + m * dim, dim)});
    }
    {
      StageTimer timer(metrics_.write_ns);
      BAHED_RETURN_IF_ERROR(store_.put_behaviors(records));
    }
    for (size_t m = 0; m < misses.size(); ++m) {
      row_of[misses[m]] = n_rows++;
      if (out) {
        out->vectors.insert(out->vectors.end(), values.begin() + static_cast<ptrdiff_t>(m * dim),
                            values.begin() + static_cast<ptrdiff_t>((m + 1) * dim));
      }
    }
  }

  return Status::ok();
}

Result<PrefetchReport> BehaviorEncoder::prefetch(std::span<const Event> events) {
  BehaviorSet behaviors;
  for (const Event& e : events) {
    if (e.type == EventType::kImpression) {
      behaviors.add_text(options_.item_feature, e.item_text);
    } else {
      behaviors.add_text(e.feature, e.text);
    }
  }
  PrefetchReport report;
  std::vector<uint32_t> row_of;
  BAHED_RETURN_IF_ERROR(resolve(behaviors, row_of, nullptr, &report));
  return report;
}

Result<PrefetchReport> BehaviorEncoder::backfill(std::span<const Hash128> hashes) {
  BehaviorSet behaviors;
  for (const Hash128& h : hashes) behaviors.add_hash(h);
  PrefetchReport report;
  std::vector<uint32_t> row_of;
  BAHED_RETURN_IF_ERROR(resolve(behaviors, row_of, nullptr, &report));
  return report;
}

Result<EncodedBatch> BehaviorEncoder::encode(const EventBatch& batch) {
  const auto& events = batch.events;
  const size_t n_context = options_.context_length;
  const uint32_t dim = text_encoder_.dimension();

  // 1. Atomic behaviors of every event.
  BehaviorSet behaviors;
  std::vector<uint32_t> item_of(events.size(), kNoRow);
  std::vector<uint32_t> history_of(events.size());
  uint64_t n_named = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    if (e.type == EventType::kImpression) {
      // The impression enters the history as its item, with the action.
      item_of[i] = behaviors.add_text(options_.item_feature, e.item_text);
      history_of[i] = item_of[i];
      n_named += 1;
    } else {
      history_of[i] = behaviors.add_text(e.feature, e.text);
      n_named += 1;
    }
  }
  const size_t n_batch_behaviors = behaviors.size();

  // 2. Per user: events in order, and the stored history before them.
  std::unordered_map<std::string_view, UserSlice> users;
  std::vector<std::string_view> user_order;
  for (size_t i = 0; i < events.size(); ++i) {
    auto [it, inserted] = users.try_emplace(events[i].user);
    if (inserted) user_order.push_back(events[i].user);
    it->second.events.push_back(i);
  }
  {
    StageTimer timer(metrics_.lookup_ns);
    for (auto user : user_order) {
      UserSlice& slice = users[user];
      BAHED_ASSIGN_OR_RETURN(std::vector<HistoryEntry> stored,
                             store_.read_history(user, std::numeric_limits<size_t>::max()));
      const SourcePosition first = events[slice.events.front()].source;
      std::erase_if(stored, [&](const HistoryEntry& e) { return !before(e, first); });
      if (stored.size() > n_context) stored.erase(stored.begin(), stored.end() - static_cast<ptrdiff_t>(n_context));
      for (const auto& e : stored) slice.stored_behavior.push_back(behaviors.add_hash(e.behavior));
      slice.stored = std::move(stored);
    }
  }

  // 3.-4. Vectors of every behavior: looked up, or encoded once and stored
  //       before any history entry names them.
  std::vector<uint32_t> row_of;
  EncodedBatch out;
  out.dimension = dim;
  BAHED_RETURN_IF_ERROR(resolve(behaviors, row_of, &out, nullptr));

  // 5. Histories and their watermark, in one store batch.
  {
    StageTimer timer(metrics_.write_ns);
    std::vector<HistoryUpdate> updates;
    updates.reserve(events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      const Event& e = events[i];
      updates.push_back({e.user, HistoryEntry{behaviors[history_of[i]].hash, e.ts_ms, e.source.partition,
                                              e.source.offset, action_of(e)}});
    }
    BAHED_RETURN_IF_ERROR(store_.apply_history(updates));
  }

  // 6. Targets, each with the last n behaviors before it.
  for (auto user : user_order) {
    const UserSlice& slice = users[user];
    std::vector<ContextBehavior> history;
    for (size_t s = 0; s < slice.stored.size(); ++s) {
      const uint32_t row = row_of[slice.stored_behavior[s]];
      if (row == kNoRow) continue;  // counted as context_missing
      const auto& e = slice.stored[s];
      history.push_back({row, e.action, SourcePosition{e.partition, e.offset}, e.event_time_ms});
    }
    for (size_t i : slice.events) {
      const Event& e = events[i];
      if (e.type == EventType::kImpression) {
        EncodedTarget target;
        target.user = e.user;
        target.event_time_ms = e.ts_ms;
        target.label = e.label;
        target.source = e.source;
        target.item_id = e.item_id;
        target.item_vector = row_of[item_of[i]];
        const size_t begin = history.size() > n_context ? history.size() - n_context : 0;
        target.context.assign(history.begin() + static_cast<ptrdiff_t>(begin), history.end());
        out.targets.push_back(std::move(target));
      }
      history.push_back({row_of[history_of[i]], action_of(e), e.source, e.ts_ms});
    }
  }

  for (const Event& e : events) out.max_event_time_ms = std::max(out.max_event_time_ms, e.ts_ms);
  out.consumed_through = batch.consumed_through;
  metrics_.events.fetch_add(events.size(), std::memory_order_relaxed);
  metrics_.targets.fetch_add(out.targets.size(), std::memory_order_relaxed);
  metrics_.behaviors.fetch_add(n_named, std::memory_order_relaxed);
  metrics_.behaviors_unique_in_batch.fetch_add(n_batch_behaviors, std::memory_order_relaxed);
  metrics_.history_entries.fetch_add(events.size(), std::memory_order_relaxed);
  return out;
}

}  // namespace bahed::encoder
