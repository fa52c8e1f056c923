#pragma once
// The data of `bahectl bench train`: contract-v1 event logs turned into
// per-user timelines over one table of distinct texts, split in time.
//
// Per user, events in time order (file order among equal times): every
// impression is a target whose item text is its item; right after it, its
// history text ("clicked: {item}" / "skipped: {item}") joins the user's
// behaviors, so later targets see it and it never sees itself. Plain
// behavior events only extend the history. The last held_out_fraction of
// each user's impressions (by time) are held out; their contexts may hold
// earlier training events, as they would online.
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "encoder/tokenizer/tokenizer.h"
#include "trainer/timeline.h"
#include "trainer/token_table.h"

namespace bahed::ctl {

struct TrainBenchDataOptions {
  std::vector<std::string> event_files;  // contract-v1 JSON lines
  // Fraction of each user's impressions, the latest, held out. Default: 0.1.
  double held_out_fraction = 0.1;
};

struct TrainBenchUser {
  std::string id;              // "<file index>:<user>", so logs never share users
  trainer::Timeline train;     // the first 90% of its impressions as targets
  trainer::Timeline held_out;  // the same behaviors, the last 10% as targets
};

struct TrainBenchData {
  std::vector<std::string> texts;  // by id: items, history texts, behaviors
  std::vector<TrainBenchUser> users;
  int64_t n_lines = 0;
  int64_t n_rejected = 0;  // lines the decoder refused
  int64_t n_impressions = 0;
  int64_t n_behavior_events = 0;

  int64_t n_train_targets() const;
  int64_t n_held_out_targets() const;
};

// Reads and decodes every file (EventDecoder, no key check). IOError when a
// file cannot be read; rejected lines are counted, not fatal.
Result<TrainBenchData> load_train_bench_data(const TrainBenchDataOptions& options);

// Token ids of every text, as the token-level trainers see them: no BOS (a
// row is one sequence of many texts), special tokens not parsed, at most
// max_tokens each, at least one (an empty text becomes the BOS/EOS id).
trainer::TokenTable tokenize_texts(const encoder::Tokenizer& tokenizer, const std::vector<std::string>& texts,
                                   int64_t max_tokens);

}  // namespace bahed::ctl
