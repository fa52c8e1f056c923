#pragma once
// Floating-point operation counts of the decoder's layers, for the
// benchmarks' GFLOP/s figures. Counts multiply-adds as 2 FLOPs and ignores
// norms, activations and softmax (a few percent at these shapes).
#include <cstdint>

#include "encoder/llm/model_config.h"

namespace bahed::ctl {

// Forward FLOPs of `n_layers` decoder layers over `batch` sequences of `seq`
// positions each, with full (causal counted as full) attention.
double decoder_forward_flops(const encoder::ModelConfig& config, int64_t n_layers, int64_t batch, int64_t seq);

}  // namespace bahed::ctl
