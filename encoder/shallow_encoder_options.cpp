// ShallowEncoderOptions::validate, without LibTorch (see the header), so
// configuration code links it cheaply.
#include "encoder/shallow_encoder_options.h"

#include <string>

namespace bahed::encoder {

Status ShallowEncoderOptions::validate() const {
  if (max_tokens < 1) return Status::invalid_argument("encoder.max_tokens must be >= 1, got " + std::to_string(max_tokens));
  if (batch_tokens < max_tokens) {
    return Status::invalid_argument("encoder.batch_tokens must be >= encoder.max_tokens (" +
                                    std::to_string(max_tokens) + "), got " + std::to_string(batch_tokens));
  }
  if (n_workers < 1 || n_workers > 256) {
    return Status::invalid_argument("encoder.n_workers must be in [1, 256], got " + std::to_string(n_workers));
  }
  return Status::ok();
}

}  // namespace bahed::encoder
