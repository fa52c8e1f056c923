#include "trainer/ctr_model_options.h"

#include <cmath>
#include <string>

namespace bahed::trainer {

std::string_view position_scheme_name(PositionScheme scheme) {
  return scheme == PositionScheme::kAlibi ? "alibi" : "rotary";
}

std::optional<PositionScheme> parse_position_scheme(std::string_view name) {
  if (name == "alibi") return PositionScheme::kAlibi;
  if (name == "rotary") return PositionScheme::kRotary;
  return std::nullopt;
}

Status CtrModelOptions::validate() const {
  if (!std::isfinite(forgetting) || forgetting < 0.0) {
    return Status::invalid_argument("trainer.forgetting must be finite and >= 0, got " + std::to_string(forgetting));
  }
  if (n_head_hidden < 1) {
    return Status::invalid_argument("trainer.n_head_hidden must be >= 1, got " + std::to_string(n_head_hidden));
  }
  return Status::ok();
}

}  // namespace bahed::trainer
