#pragma once
// Helpers for the encoder-stage tests: a text encoder that counts how often
// each text is encoded, events built in code or read from the MovieLens log.
// Header-only: XXH3 inlined here, so nothing links libxxhash at run time.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "common/event.h"
#include "consumers/event_decoder.h"
#include "encoder/text_encoder.h"

namespace bahed::encoder::testing {

// Vectors are a deterministic function of the text (so a re-encode would
// give the same values, and only the counts can tell).
class CountingTextEncoder final : public TextEncoder {
 public:
  explicit CountingTextEncoder(uint64_t fingerprint = 7, uint32_t dimension = 4)
      : fingerprint_(fingerprint), dimension_(dimension) {}
  uint32_t dimension() const override { return dimension_; }
  uint64_t fingerprint() const override { return fingerprint_; }
  Result<std::vector<float>> encode(std::span<const std::string> texts) override {
    std::vector<float> out;
    for (const auto& t : texts) {
      ++calls_[t];
      counters_.texts.fetch_add(1);
      const std::vector<float> v = vector_of(t);
      out.insert(out.end(), v.begin(), v.end());
    }
    return out;
  }
  // Small integers / 8: exact in bf16.
  std::vector<float> vector_of(const std::string& text) const {
    std::vector<float> v(dimension_);
    const uint64_t h = XXH3_64bits(text.data(), text.size()) ^ fingerprint_;
    for (uint32_t d = 0; d < dimension_; ++d) v[d] = static_cast<float>(static_cast<int>((h >> (8 * d)) & 0x3F) - 32) / 8.0f;
    return v;
  }
  const TextEncoderCounters& counters() const override { return counters_; }
  const std::map<std::string, int>& calls() const { return calls_; }
  int total_calls() const {
    int n = 0;
    for (const auto& [text, count] : calls_) n += count;
    return n;
  }

 private:
  uint64_t fingerprint_;
  uint32_t dimension_;
  std::map<std::string, int> calls_;
  TextEncoderCounters counters_;
};

inline Event behavior_event(const std::string& user, int64_t offset, const std::string& text) {
  Event e;
  e.type = EventType::kBehavior;
  e.user = user;
  e.ts_ms = 1'700'000'000'000 + offset;
  e.feature = "default";
  e.text = text;
  e.source = {0, offset};
  return e;
}

inline Event impression_event(const std::string& user, int64_t offset, const std::string& item, int label) {
  Event e;
  e.type = EventType::kImpression;
  e.user = user;
  e.ts_ms = 1'700'000'000'000 + offset;
  e.item_id = item;
  e.item_text = "title of " + item;
  e.label = label;
  e.source = {0, offset};
  return e;
}

// Batches of `batch_size` events, offsets consecutive on partition 0.
inline std::vector<EventBatch> make_batches(const std::vector<Event>& events, size_t batch_size) {
  std::vector<EventBatch> batches;
  for (size_t b = 0; b < events.size(); b += batch_size) {
    EventBatch batch;
    for (size_t i = b; i < std::min(events.size(), b + batch_size); ++i) batch.events.push_back(events[i]);
    batch.consumed_through = {{0, batch.events.back().source.offset + 1}};
    batches.push_back(std::move(batch));
  }
  return batches;
}

// The MovieLens event log prepared by ops/prepare_data.sh, decoded by the
// consumer's decoder, offsets = line numbers on partition 0.
inline std::vector<Event> read_movielens_events(const std::string& path) {
  consumers::DecodeOptions options;
  options.require_key_match = false;  // the log has no Kafka keys; any key passes
  consumers::EventDecoder decoder{options};
  std::ifstream in(path);
  std::vector<Event> events;
  std::string line;
  int64_t offset = 0;
  while (std::getline(in, line)) {
    Event e;
    if (decoder.decode("user", line, 2'000'000'000'000, &e).ok) {
      e.source = {0, offset};
      events.push_back(std::move(e));
    }
    ++offset;
  }
  return events;
}

}  // namespace bahed::encoder::testing
