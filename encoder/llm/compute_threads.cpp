#include "encoder/llm/compute_threads.h"

#include <ATen/Parallel.h>

namespace bahed::encoder {

void set_compute_threads(int n) { at::set_num_threads(n); }

}  // namespace bahed::encoder
