#pragma once
// ShallowEncoderOptions: how behavior texts are run through the shallow
// layers. YAML keys under `encoder.` use the same spelling. No LibTorch here,
// so configuration code can include it cheaply.
#include <cstdint>
#include <memory>

#include "common/result.h"
#include "common/status.h"
#include "encoder/llm/llm_options.h"
#include "encoder/text_encoder.h"

namespace bahed::encoder {

struct ShallowEncoderOptions {
  // Token limit per behavior text (BOS included). Longer texts keep their
  // first max_tokens tokens and are counted as truncated. Atomic behaviors
  // are short; the limit bounds the cost of an odd long one. Part of the
  // encoder version. Default: 64.
  int64_t max_tokens = 64;
  // Upper bound on rows x padded length of one forward batch: larger
  // batches run closer to the matmul peak but hold more activations.
  // Default: 4096.
  int64_t batch_tokens = 4096;
  // Threads running forward batches side by side. LibTorch's own intra-op
  // threads are set by the process (1 in bahed, see README), so on a
  // machine with C cores, C workers keep them busy. Default: 1.
  uint32_t n_workers = 1;

  Status validate() const;
};

// Loads the model directory of `llm` (config.json, safetensors, tokenizer)
// as a ShallowTextEncoder (shallow_text_encoder.h).
Result<std::unique_ptr<TextEncoder>> load_shallow_text_encoder(const LlmOptions& llm,
                                                               const ShallowEncoderOptions& options);

}  // namespace bahed::encoder
