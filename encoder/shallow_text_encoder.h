#pragma once
// ShallowTextEncoder: BAHE's frozen half. Tokenizes behavior texts, runs the
// LLM's shallow layers [0, L_s) without autograd in length-sorted batches
// (little padding), and pools each text into one vector.
//
// Thread safety: encode() is one call at a time (it fans out to its own
// workers); counters() may be read from any thread.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "encoder/llm/llama_model.h"
#include "encoder/llm/llm_options.h"
#include "encoder/shallow_encoder_options.h"
#include "encoder/text_encoder.h"
#include "encoder/tokenizer/tokenizer.h"

namespace bahed::encoder {

class ShallowTextEncoder final : public TextEncoder {
 public:
  // Loads the model directory (config.json, safetensors, tokenizer) with
  // `llm`'s split, pooling, dtype and device.
  static Result<std::unique_ptr<ShallowTextEncoder>> load(const LlmOptions& llm, const ShallowEncoderOptions& options);
  // Wraps a model already loaded. `tokenizer_fingerprint` identifies the
  // tokenizer (see tokenizer_fingerprint()).
  static Result<std::unique_ptr<ShallowTextEncoder>> create(LlamaModel model, std::unique_ptr<Tokenizer> tokenizer,
                                                            uint64_t tokenizer_fingerprint,
                                                            const ShallowEncoderOptions& options);

  uint32_t dimension() const override;
  uint64_t fingerprint() const override { return fingerprint_; }
  // Identifies the whole base model (every weight, the tokenizer): what the
  // trainer's deep layers start from.
  uint64_t base_model_fingerprint() const { return base_model_fingerprint_; }
  Result<std::vector<float>> encode(std::span<const std::string> texts) override;

  const TextEncoderCounters& counters() const override { return counters_; }
  const LlamaModel& model() const { return model_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }
  const ShallowEncoderOptions& options() const { return options_; }

 private:
  ShallowTextEncoder(LlamaModel model, std::unique_ptr<Tokenizer> tokenizer, uint64_t fingerprint,
                     uint64_t base_model_fingerprint, const ShallowEncoderOptions& options);
  // Token ids of one text: BOS when the tokenizer wants it, special tokens
  // not parsed (event text is untrusted), cut at max_tokens.
  std::vector<int32_t> tokenize(const std::string& text);
  void encode_batch(const std::vector<std::vector<int32_t>>& ids, std::span<const size_t> rows, float* out);

  LlamaModel model_;
  std::unique_ptr<Tokenizer> tokenizer_;
  const uint64_t fingerprint_;
  const uint64_t base_model_fingerprint_;
  const ShallowEncoderOptions options_;
  TextEncoderCounters counters_;
};

// XXH3-64 of the tokenizer files in `model_dir` (tokenizer.json,
// tokenizer.model, tokenizer_config.json, whichever exist).
Result<uint64_t> tokenizer_fingerprint(const std::filesystem::path& model_dir);

// The encoder version: XXH3-64 over a format tag, the architecture, L_s,
// pooling, dtype, max_tokens, the tokenizer fingerprint, and the bytes of
// every shallow weight (embeddings, layers [0, L_s)). Deep weights are left
// out: training them never changes a behavior vector.
uint64_t encoder_fingerprint(LlamaModel& model, int64_t max_tokens, uint64_t tokenizer_fingerprint);

}  // namespace bahed::encoder
