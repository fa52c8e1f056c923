#pragma once
// PackedWindows: the training data as fixed-length windows over one token
// stream (documents as <s> ... </s>, concatenated), visited in a seeded
// shuffled order, an independent permutation per epoch.
//
// Window i covers tokens [i * seq_len, i * seq_len + seq_len + 1): seq_len
// inputs and their next tokens, so every token but the first is a target
// exactly once per epoch. The batch of a step depends only on (seed, step),
// which is what makes resumed runs see the same data as uninterrupted ones.
//
// Thread safety: batch() caches the current epoch's permutation; not safe to
// call concurrently.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "daemon/ctl/model/corpus_document.h"
#include "encoder/tokenizer/tokenizer.h"

namespace bahed::ctl {

// Encodes each document as [bos] + its paragraphs' tokens + [eos] and
// concatenates them. Paragraphs are encoded one by one (each gets
// SentencePiece's dummy-prefix space); special-token text is not parsed.
std::vector<int32_t> encode_documents(const std::vector<CorpusDocument>& documents,
                                      const encoder::Tokenizer& tokenizer, int32_t bos_id, int32_t eos_id);

class PackedWindows {
 public:
  // `tokens` must hold at least seq_len + 1 tokens.
  PackedWindows(std::vector<int32_t> tokens, int64_t seq_len, uint64_t seed);

  int64_t n_windows() const { return n_windows_; }
  int64_t seq_len() const { return seq_len_; }
  const std::vector<int32_t>& tokens() const { return tokens_; }

  // The windows of optimizer step `step`: samples step * batch_size ...
  // (step + 1) * batch_size - 1 of the endless shuffled sequence.
  // Returns [batch_size, seq_len + 1] int64.
  torch::Tensor batch(int64_t step, int64_t batch_size);

  // Window `index` in stream order (for evaluation). Returns [seq_len + 1] int64.
  torch::Tensor window(int64_t index) const;

 private:
  const std::vector<int64_t>& permutation(int64_t epoch);

  std::vector<int32_t> tokens_;
  int64_t seq_len_;
  uint64_t seed_;
  int64_t n_windows_;
  int64_t cached_epoch_ = -1;
  std::vector<int64_t> order_;  // permutation of cached_epoch_
};

// A deterministic permutation of [0, n): Fisher-Yates driven by
// std::mt19937_64 (whose output the standard fixes), with unbiased bounded
// draws, so every platform gets the same order for the same seed.
std::vector<int64_t> seeded_permutation(int64_t n, uint64_t seed);

}  // namespace bahed::ctl
