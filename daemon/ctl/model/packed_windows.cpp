#include "daemon/ctl/model/packed_windows.h"

#include <random>

namespace bahed::ctl {
namespace {

// Uniform in [0, bound) by rejection: std::uniform_int_distribution's
// algorithm differs between standard libraries.
uint64_t bounded(std::mt19937_64& rng, uint64_t bound) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t x = rng();
  while (x >= limit) x = rng();
  return x % bound;
}

uint64_t epoch_seed(uint64_t seed, int64_t epoch) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(epoch + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

std::vector<int32_t> encode_documents(const std::vector<CorpusDocument>& documents,
                                      const encoder::Tokenizer& tokenizer, int32_t bos_id, int32_t eos_id) {
  encoder::EncodeOptions options;
  options.add_bos = false;
  options.parse_special = false;  // "<s>" in prose is text, not a control token
  std::vector<int32_t> out;
  for (const CorpusDocument& doc : documents) {
    out.push_back(bos_id);
    for (const std::string& paragraph : doc.paragraphs) {
      const std::vector<int32_t> ids = tokenizer.encode(paragraph, options);
      out.insert(out.end(), ids.begin(), ids.end());
    }
    out.push_back(eos_id);
  }
  return out;
}

std::vector<int64_t> seeded_permutation(int64_t n, uint64_t seed) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  std::mt19937_64 rng(seed);
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(bounded(rng, static_cast<uint64_t>(i + 1)));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
  }
  return order;
}

PackedWindows::PackedWindows(std::vector<int32_t> tokens, int64_t seq_len, uint64_t seed)
    : tokens_(std::move(tokens)), seq_len_(seq_len), seed_(seed) {
  TORCH_CHECK(seq_len_ >= 1, "PackedWindows: seq_len must be positive");
  TORCH_CHECK(static_cast<int64_t>(tokens_.size()) >= seq_len_ + 1, "PackedWindows: ", tokens_.size(),
              " tokens are fewer than one window of ", seq_len_ + 1);
  n_windows_ = (static_cast<int64_t>(tokens_.size()) - 1) / seq_len_;
}

const std::vector<int64_t>& PackedWindows::permutation(int64_t epoch) {
  if (epoch != cached_epoch_) {
    order_ = seeded_permutation(n_windows_, epoch_seed(seed_, epoch));
    cached_epoch_ = epoch;
  }
  return order_;
}

torch::Tensor PackedWindows::window(int64_t index) const {
  TORCH_CHECK(index >= 0 && index < n_windows_, "window ", index, " outside [0, ", n_windows_, ")");
  torch::Tensor out = torch::empty({seq_len_ + 1}, torch::kInt64);
  int64_t* dst = out.data_ptr<int64_t>();
  const int32_t* src = tokens_.data() + index * seq_len_;
  for (int64_t t = 0; t <= seq_len_; ++t) dst[t] = src[t];
  return out;
}

torch::Tensor PackedWindows::batch(int64_t step, int64_t batch_size) {
  TORCH_CHECK(step >= 0 && batch_size > 0, "PackedWindows::batch: bad step ", step, " or batch ", batch_size);
  torch::Tensor out = torch::empty({batch_size, seq_len_ + 1}, torch::kInt64);
  for (int64_t j = 0; j < batch_size; ++j) {
    const int64_t sample = step * batch_size + j;
    const int64_t index = permutation(sample / n_windows_)[static_cast<size_t>(sample % n_windows_)];
    out[j].copy_(window(index));
  }
  return out;
}

}  // namespace bahed::ctl
