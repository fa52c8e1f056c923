#include "trainer/distributed/distributed_options.h"

#include <charconv>

namespace bahed::trainer {

std::string DistributedOptions::host() const { return rendezvous.substr(0, rendezvous.rfind(':')); }

uint16_t DistributedOptions::port() const {
  const std::string digits = rendezvous.substr(rendezvous.rfind(':') + 1);
  unsigned value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return static_cast<uint16_t>(value);
}

Status DistributedOptions::validate() const {
  if (world_size < 1) return Status::invalid_argument("distributed.world_size must be >= 1");
  if (rank < 0 || rank >= world_size) {
    return Status::invalid_argument("distributed.rank must be in [0, distributed.world_size - 1]; got rank " +
                                    std::to_string(rank) + " of " + std::to_string(world_size));
  }
  const size_t colon = rendezvous.rfind(':');
  const std::string digits = colon == std::string::npos ? "" : rendezvous.substr(colon + 1);
  unsigned port_value = 0;
  const auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), port_value);
  if (colon == 0 || colon == std::string::npos || digits.empty() || parsed.ec != std::errc() ||
      parsed.ptr != digits.data() + digits.size() || port_value == 0 || port_value > 65535) {
    return Status::invalid_argument("distributed.rendezvous must be HOST:PORT (rank 0's address, port 1-65535); got \"" +
                                    rendezvous + "\"");
  }
  if (backend != "gloo" && backend != "nccl") {
    return Status::invalid_argument("distributed.backend must be gloo or nccl; got \"" + backend + "\"");
  }
  if (timeout_ms < 1000) return Status::invalid_argument("distributed.timeout_ms must be >= 1000");
  if (idle_step_ms < 1 || idle_step_ms >= timeout_ms)
    return Status::invalid_argument("distributed.idle_step_ms must be in [1, distributed.timeout_ms)");
  return Status::ok();
}

}  // namespace bahed::trainer
