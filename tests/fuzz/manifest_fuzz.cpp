// libFuzzer target: any bytes as manifest.json must parse into a manifest
// that serializes and parses back to itself, or be refused with a Corruption
// status that says why; never crash, over-allocate or read out of bounds
// (ASan/UBSan on).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "checkpoints/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  const auto parsed = bahed::checkpoints::parse_manifest(json);
  if (!parsed.is_ok()) {
    if (parsed.status().message().empty()) __builtin_trap();  // every refusal says why
    if (parsed.status().code() != bahed::StatusCode::kCorruption) __builtin_trap();
    return 0;
  }
  const auto again = bahed::checkpoints::parse_manifest(bahed::checkpoints::serialize_manifest(*parsed));
  if (!again.is_ok() || !(*again == *parsed)) __builtin_trap();  // what we read, we can write back
  return 0;
}
