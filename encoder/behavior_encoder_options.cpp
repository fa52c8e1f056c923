#include "encoder/behavior_encoder_options.h"

namespace bahed::encoder {

Status BehaviorEncoderOptions::validate() const {
  if (context_length < 1 || context_length > 4096) {
    return Status::invalid_argument("encoder.context_length must be in [1, 4096], got " +
                                    std::to_string(context_length));
  }
  if (item_feature.empty()) return Status::invalid_argument("encoder.item_feature must not be empty");
  return Status::ok();
}

}  // namespace bahed::encoder
