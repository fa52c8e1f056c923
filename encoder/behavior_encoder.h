#pragma once
// BehaviorEncoder: the encoder stage (design.md "Data flow"). Takes decoded
// events, turns them into atomic behaviors, encodes only the behaviors the
// store has never seen, appends user histories, and hands the trainer
// EncodedBatches in which every target carries its item vector and the
// vectors of its n preceding behaviors.
//
// Contract:
//  - No behavior is encoded twice under one encoder version: keys are
//    looked up (store, hot LRU), deduplicated within the batch, and the
//    misses are written before the next batch is looked up.
//  - Vectors are written before the history entries that name them, and
//    histories with their applied-offset watermark in one batch: a replay
//    after a crash re-encodes nothing and appends nothing twice.
//  - A target's context is the user's last n behaviors strictly before it
//    by Kafka position, also when the store already holds later entries.
//  - Behaviors whose vector is missing under the current encoder version
//    (a new base model) are re-encoded lazily from the stored text.
//  - Errors (store write failure, model failure) are returned; the caller
//    stops the writing path. Nothing of a failed batch is handed on.
//  - Thread safety: one encode() at a time; metrics() from any thread.
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "common/encoded_batch.h"
#include "common/event.h"
#include "common/result.h"
#include "encoder/behavior_encoder_options.h"
#include "encoder/store/behavior_store.h"
#include "encoder/text_encoder.h"

namespace bahed::encoder {

class BehaviorSet;

struct BehaviorEncoderMetrics {
  std::atomic<uint64_t> events{0};
  std::atomic<uint64_t> targets{0};
  // Atomic behaviors the events named (items and history behaviors), and
  // how many distinct ones each batch had (the unique-behavior ratio).
  std::atomic<uint64_t> behaviors{0};
  std::atomic<uint64_t> behaviors_unique_in_batch{0};
  // Distinct keys looked up, by outcome. misses = behaviors encoded.
  std::atomic<uint64_t> lookup_hits{0};
  std::atomic<uint64_t> lookup_misses{0};
  // Of the misses: history behaviors re-encoded from their stored text
  // (after an encoder-version change or a TTL eviction).
  std::atomic<uint64_t> reencoded_from_text{0};
  // History behaviors with neither a vector nor a text: left out of
  // contexts (should stay 0).
  std::atomic<uint64_t> context_missing{0};
  std::atomic<uint64_t> history_entries{0};
  std::atomic<uint64_t> lookup_ns{0};
  std::atomic<uint64_t> encode_ns{0};
  std::atomic<uint64_t> write_ns{0};
};

// What prefetch() / backfill() found.
struct PrefetchReport {
  uint64_t distinct = 0;      // distinct behaviors looked up
  uint64_t hits = 0;          // already in the store
  uint64_t encoded = 0;       // encoded now
  uint64_t missing_text = 0;  // backfill: a history behavior whose text is unknown
};

class BehaviorEncoder {
 public:
  // `store` and `text_encoder` must outlive the BehaviorEncoder; the store
  // must be opened for text_encoder's fingerprint and dimension.
  static Result<std::unique_ptr<BehaviorEncoder>> create(const BehaviorEncoderOptions& options, BehaviorStore& store,
                                                         TextEncoder& text_encoder);

  // Encodes one batch (events in partition order, as the consumer stage
  // delivers them). Blocking: store I/O and model forward passes.
  Result<EncodedBatch> encode(const EventBatch& batch);

  // Encodes the behaviors of `events` that the store lacks, without
  // touching histories (`bahectl encode`: a warm start from a log).
  Result<PrefetchReport> prefetch(std::span<const Event> events);
  // Encodes, from their stored text, the behaviors among `hashes` (taken
  // from user histories) that lack a vector of the current encoder version
  // (`bahectl encode --backfill` after a model change).
  Result<PrefetchReport> backfill(std::span<const Hash128> hashes);

  const BehaviorEncoderMetrics& metrics() const { return metrics_; }
  const BehaviorEncoderOptions& options() const { return options_; }

 private:
  BehaviorEncoder(const BehaviorEncoderOptions& options, BehaviorStore& store, TextEncoder& text_encoder);
  // Looks every behavior up (texts of stored-only ones from the store),
  // encodes and stores the misses. row_of[b]: the behavior's row among the
  // resolved vectors (appended to out->vectors when `out` is set), or
  // UINT32_MAX when it has neither vector nor text.
  Status resolve(BehaviorSet& behaviors, std::vector<uint32_t>& row_of, EncodedBatch* out, PrefetchReport* report);

  const BehaviorEncoderOptions options_;
  BehaviorStore& store_;
  TextEncoder& text_encoder_;
  BehaviorEncoderMetrics metrics_;
};

}  // namespace bahed::encoder
