#include "daemon/ctl/model/model_flops.h"

namespace bahed::ctl {

double decoder_forward_flops(const encoder::ModelConfig& c, int64_t n_layers, int64_t batch, int64_t seq) {
  const double d = static_cast<double>(c.hidden_size);
  const double kv = static_cast<double>(c.n_kv_heads * c.head_dim());
  const double q = static_cast<double>(c.n_heads * c.head_dim());
  const double ff = static_cast<double>(c.intermediate_size);
  const double tokens = static_cast<double>(batch * seq);
  const double projections = d * q + 2 * d * kv + q * d + 3 * d * ff;  // q, k, v, o, gate/up/down
  const double attention = 2.0 * static_cast<double>(seq) * q;         // q k^T and p v, per token
  return 2.0 * tokens * (projections + attention) * static_cast<double>(n_layers);
}

}  // namespace bahed::ctl
