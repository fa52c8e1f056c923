// libFuzzer target: any bytes as key + payload must decode or be refused
// with a reason, never crash, hang or read out of bounds (ASan/UBSan on).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "consumers/event_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bahed::consumers::EventDecoder decoder{bahed::consumers::DecodeOptions{}};
  // The first byte chooses how much of the input is the key.
  const size_t key_len = size ? std::min<size_t>(data[0] % 16, size - 1) : 0;
  const std::string_view key(reinterpret_cast<const char*>(data) + (size ? 1 : 0), key_len);
  const std::string_view payload(reinterpret_cast<const char*>(data) + (size ? 1 : 0) + key_len,
                                 size ? size - 1 - key_len : 0);
  bahed::Event event;
  const auto outcome = decoder.decode(key, payload, 1'700'000'000'000, &event);
  if (outcome.ok && (event.user.empty() || event.ts_ms <= 0)) __builtin_trap();  // accepted must mean valid
  if (!outcome.ok && outcome.detail.empty()) __builtin_trap();                    // every reject says why
  return 0;
}
