#pragma once
// LibTorch's intra-op thread count, process-wide, behind a header without
// LibTorch so that configuration code can set it cheaply.
namespace bahed::encoder {

// at::set_num_threads(n). bahed uses 1 by default: OpenBLAS already spreads
// each matrix product over the cores, and LibTorch's own threads on top of
// it measured 8.7x slower here (README, bench model).
void set_compute_threads(int n);

}  // namespace bahed::encoder
