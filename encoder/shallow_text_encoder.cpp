#include "encoder/shallow_text_encoder.h"

// Header-only: XXH3 inlined here, so nothing links libxxhash at run time.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <numeric>
#include <thread>

#include "encoder/llm/hf_checkpoint.h"

namespace bahed::encoder {
namespace {

// Bumped when the way vectors are computed changes in a way the other
// inputs of the fingerprint do not show (e.g. a pooling bug fix).
constexpr std::string_view kFingerprintFormat = "bahed-shallow-encoder-v1";

template <typename T>
void hash_value(XXH3_state_t* state, const T& value) {
  XXH3_64bits_update(state, &value, sizeof(value));
}

void hash_string(XXH3_state_t* state, std::string_view s) {
  const uint64_t n = s.size();
  hash_value(state, n);
  XXH3_64bits_update(state, s.data(), s.size());
}

// "model.layers.7.mlp.up_proj.weight" -> 7; -1 for names outside layers.
int64_t layer_index(const std::string& name) {
  constexpr std::string_view kPrefix = "model.layers.";
  if (name.rfind(kPrefix, 0) != 0) return -1;
  return std::stoll(name.substr(kPrefix.size()));
}

}  // namespace

Result<uint64_t> tokenizer_fingerprint(const std::filesystem::path& model_dir) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  bool any = false;
  for (const char* name : {"tokenizer.json", "tokenizer.model", "tokenizer_config.json"}) {
    const auto path = model_dir / name;
    std::ifstream in(path, std::ios::binary);
    if (!in) continue;
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    hash_string(state, name);
    hash_string(state, bytes);
    any = true;
  }
  const uint64_t h = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  if (!any) return Status::not_found("no tokenizer.json or tokenizer.model in " + model_dir.string());
  return h;
}

namespace {

// Feeds the name and bytes of every parameter `include` accepts into the hash.
template <typename Include>
void hash_parameters(XXH3_state_t* state, LlamaModel& model, Include include) {
  for (const auto& item : model->named_parameters(/*recurse=*/true)) {
    if (!include(item.key())) continue;
    const torch::Tensor t = item.value().detach().to(torch::kCPU).contiguous();
    hash_string(state, item.key());
    XXH3_64bits_update(state, t.data_ptr(), static_cast<size_t>(t.numel()) * t.element_size());
  }
}

}  // namespace

uint64_t encoder_fingerprint(LlamaModel& model, int64_t max_tokens, uint64_t tokenizer_fp) {
  const auto& config = model->config();
  const auto& options = model->options();
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  hash_string(state, kFingerprintFormat);
  hash_string(state, model_arch_name(config.arch));
  hash_value(state, config.hidden_size);
  hash_value(state, options.n_layers_shallow);
  hash_string(state, pooling_name(options.pooling));
  hash_string(state, options.dtype);
  hash_value(state, max_tokens);
  hash_value(state, tokenizer_fp);
  hash_parameters(state, model, [&](const std::string& name) {
    const int64_t layer = layer_index(name);
    return name == "model.embed_tokens.weight" || (layer >= 0 && layer < options.n_layers_shallow);
  });
  const uint64_t h = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return h;
}

// Every weight of the base model, deep layers included: a published
// version's deep layers started from them, so a restart must find the same.
uint64_t hash_base_model(LlamaModel& model, uint64_t tokenizer_fp) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  hash_string(state, "bahed-base-model-v1");
  hash_string(state, model_arch_name(model->config().arch));
  hash_value(state, model->config().hidden_size);
  hash_value(state, model->config().n_layers);
  hash_value(state, tokenizer_fp);
  hash_parameters(state, model, [](const std::string&) { return true; });
  const uint64_t h = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return h;
}

Result<std::unique_ptr<ShallowTextEncoder>> ShallowTextEncoder::load(const LlmOptions& llm,
                                                                     const ShallowEncoderOptions& options) {
  BAHED_RETURN_IF_ERROR(llm.validate());
  BAHED_RETURN_IF_ERROR(options.validate());
  BAHED_ASSIGN_OR_RETURN(LlamaModel model, load_hf_model(llm));
  BAHED_ASSIGN_OR_RETURN(std::unique_ptr<Tokenizer> tokenizer, load_tokenizer(llm.model_dir));
  BAHED_ASSIGN_OR_RETURN(uint64_t tokenizer_fp, tokenizer_fingerprint(llm.model_dir));
  return create(std::move(model), std::move(tokenizer), tokenizer_fp, options);
}

Result<std::unique_ptr<TextEncoder>> load_shallow_text_encoder(const LlmOptions& llm,
                                                               const ShallowEncoderOptions& options) {
  BAHED_ASSIGN_OR_RETURN(auto encoder, ShallowTextEncoder::load(llm, options));
  return std::unique_ptr<TextEncoder>(std::move(encoder));
}

Result<std::unique_ptr<ShallowTextEncoder>> ShallowTextEncoder::create(LlamaModel model,
                                                                       std::unique_ptr<Tokenizer> tokenizer,
                                                                       uint64_t tokenizer_fp,
                                                                       const ShallowEncoderOptions& options) {
  BAHED_RETURN_IF_ERROR(options.validate());
  if (!model || !tokenizer) return Status::invalid_argument("ShallowTextEncoder needs a model and a tokenizer");
  if (options.max_tokens > model->config().max_position_embeddings) {
    return Status::invalid_argument("encoder.max_tokens (" + std::to_string(options.max_tokens) +
                                    ") exceeds the model's max_position_embeddings (" +
                                    std::to_string(model->config().max_position_embeddings) + ")");
  }
  model->eval();
  const uint64_t fp = encoder_fingerprint(model, options.max_tokens, tokenizer_fp);
  const uint64_t base_fp = hash_base_model(model, tokenizer_fp);
  return std::unique_ptr<ShallowTextEncoder>(
      new ShallowTextEncoder(std::move(model), std::move(tokenizer), fp, base_fp, options));
}

ShallowTextEncoder::ShallowTextEncoder(LlamaModel model, std::unique_ptr<Tokenizer> tokenizer, uint64_t fingerprint,
                                       uint64_t base_model_fingerprint, const ShallowEncoderOptions& options)
    : model_(std::move(model)),
      tokenizer_(std::move(tokenizer)),
      fingerprint_(fingerprint),
      base_model_fingerprint_(base_model_fingerprint),
      options_(options) {}

uint32_t ShallowTextEncoder::dimension() const { return static_cast<uint32_t>(model_->config().hidden_size); }

std::vector<int32_t> ShallowTextEncoder::tokenize(const std::string& text) {
  EncodeOptions encode_options;
  encode_options.add_bos = tokenizer_->adds_bos_by_default();
  encode_options.parse_special = false;
  std::vector<int32_t> ids = tokenizer_->encode(text, encode_options);
  if (ids.empty()) {
    // Only possible for text that tokenizes to nothing; one BOS/EOS keeps
    // the forward pass defined (texts are non-empty upstream).
    ids.push_back(tokenizer_->bos_id().value_or(tokenizer_->eos_id().value_or(0)));
  }
  if (static_cast<int64_t>(ids.size()) > options_.max_tokens) {
    ids.resize(static_cast<size_t>(options_.max_tokens));
    counters_.truncated.fetch_add(1, std::memory_order_relaxed);
  }
  return ids;
}

void ShallowTextEncoder::encode_batch(const std::vector<std::vector<int32_t>>& ids, std::span<const size_t> rows,
                                      float* out) {
  size_t max_len = 0;
  for (size_t r : rows) max_len = std::max(max_len, ids[r].size());
  const auto n = static_cast<int64_t>(rows.size());
  auto token_ids = torch::zeros({n, static_cast<int64_t>(max_len)}, torch::kInt64);
  auto lengths = torch::empty({n}, torch::kInt64);
  auto* tok = token_ids.data_ptr<int64_t>();
  auto* len = lengths.data_ptr<int64_t>();
  uint64_t real = 0;
  for (int64_t i = 0; i < n; ++i) {
    const auto& row = ids[rows[static_cast<size_t>(i)]];
    std::copy(row.begin(), row.end(), tok + i * static_cast<int64_t>(max_len));
    len[i] = static_cast<int64_t>(row.size());
    real += row.size();
  }
  torch::NoGradGuard no_grad;
  const torch::Device device = model_->device();
  torch::Tensor pooled = model_->shallow(token_ids.to(device), lengths.to(device));
  pooled = pooled.to(torch::kCPU, torch::kFloat32).contiguous();
  const int64_t dim = pooled.size(1);
  const float* src = pooled.data_ptr<float>();
  for (int64_t i = 0; i < n; ++i) {
    std::copy(src + i * dim, src + (i + 1) * dim, out + rows[static_cast<size_t>(i)] * static_cast<size_t>(dim));
  }
  counters_.tokens.fetch_add(real, std::memory_order_relaxed);
  counters_.padded_tokens.fetch_add(static_cast<uint64_t>(n) * max_len, std::memory_order_relaxed);
  counters_.batches.fetch_add(1, std::memory_order_relaxed);
}

Result<std::vector<float>> ShallowTextEncoder::encode(std::span<const std::string> texts) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::vector<int32_t>> ids;
  ids.reserve(texts.size());
  for (const auto& text : texts) ids.push_back(tokenize(text));

  // Length-sorted so each batch pads little; then cut into batches of at
  // most batch_tokens padded tokens.
  std::vector<size_t> order(texts.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ids[a].size() < ids[b].size(); });
  std::vector<std::span<const size_t>> batches;
  size_t begin = 0;
  while (begin < order.size()) {
    size_t end = begin + 1;
    while (end < order.size() &&
           static_cast<int64_t>((end - begin + 1) * ids[order[end]].size()) <= options_.batch_tokens) {
      ++end;
    }
    batches.emplace_back(order.data() + begin, end - begin);
    begin = end;
  }

  std::vector<float> out(texts.size() * dimension());
  std::atomic<size_t> next{0};
  std::string first_error;  // set by at most one failing worker, read after join
  std::atomic<bool> failed{false};
  auto work = [&] {
    for (size_t b = next.fetch_add(1); b < batches.size() && !failed.load(); b = next.fetch_add(1)) {
      try {
        encode_batch(ids, batches[b], out.data());
      } catch (const c10::Error& e) {
        if (!failed.exchange(true)) first_error = e.what_without_backtrace();
      }
    }
  };
  const size_t n_threads = std::min<size_t>(options_.n_workers, batches.size());
  if (n_threads <= 1) {
    work();
  } else {
    std::vector<std::jthread> workers;
    for (size_t t = 0; t < n_threads; ++t) workers.emplace_back(work);
  }  // jthreads join here
  counters_.encode_ns.fetch_add(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                          std::chrono::steady_clock::now() - started)
                                                          .count()),
                                std::memory_order_relaxed);
  if (failed.load()) return Status::internal("shallow encoding failed: " + first_error);
  counters_.texts.fetch_add(texts.size(), std::memory_order_relaxed);
  return out;
}

}  // namespace bahed::encoder
