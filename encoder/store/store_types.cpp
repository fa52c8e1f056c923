#include "encoder/store/store_types.h"

#include <string>

namespace bahed::encoder {
namespace {

// A vector value must fit comfortably in one RocksDB block budget.
constexpr uint32_t kMaxDimension = 1u << 20;

}  // namespace

Status EncoderSpec::validate() const {
  if (dimension == 0 || dimension > kMaxDimension) {
    return Status::invalid_argument("encoder vector dimension must be in [1, " + std::to_string(kMaxDimension) +
                                    "], got " + std::to_string(dimension));
  }
  return Status::ok();
}

}  // namespace bahed::encoder
