#include "encoder/llm/llm_options.h"

#include <string>

namespace bahed::encoder {

std::string_view pooling_name(Pooling pooling) { return pooling == Pooling::kMean ? "mean" : "last_token"; }

std::optional<Pooling> parse_pooling(std::string_view name) {
  if (name == "mean") return Pooling::kMean;
  if (name == "last_token") return Pooling::kLastToken;
  return std::nullopt;
}

Status LlmOptions::validate() const {
  if (model_dir.empty()) return Status::invalid_argument("encoder.model_dir is required");
  if (n_layers_shallow < 0) {
    return Status::invalid_argument("encoder.n_layers_shallow must be >= 0, got " +
                                    std::to_string(n_layers_shallow));
  }
  if (dtype != "float32" && dtype != "bfloat16" && dtype != "float16") {
    return Status::invalid_argument("encoder.dtype must be float32, bfloat16 or float16, got '" + dtype + "'");
  }
  const bool cuda = device == "cuda" || (device.rfind("cuda:", 0) == 0 && device.size() > 5 &&
                                         device.find_first_not_of("0123456789", 5) == std::string::npos);
  if (device != "cpu" && !cuda) {
    return Status::invalid_argument("encoder.device must be cpu, cuda or cuda:<index>, got '" + device + "'");
  }
  if (dtype == "float16" && device == "cpu") {
    return Status::invalid_argument("encoder.dtype float16 needs a cuda device; use float32 or bfloat16 on cpu");
  }
  return Status::ok();
}

}  // namespace bahed::encoder
