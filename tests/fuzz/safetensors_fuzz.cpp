// libFuzzer target: any bytes as a safetensors file must parse into views
// that lie inside the input, or be refused with a Corruption status; never
// crash, over-allocate or read out of bounds (ASan/UBSan on).
#include <cstddef>
#include <cstdint>
#include <span>

#include "encoder/llm/safetensors_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const std::byte> file(reinterpret_cast<const std::byte*>(data), size);
  const auto parsed = bahed::encoder::parse_safetensors(file);
  if (!parsed.is_ok()) {
    if (parsed.status().message().empty()) __builtin_trap();  // every refusal says why
    return 0;
  }
  for (const auto& [name, view] : parsed->tensors) {
    const auto* begin = view.data.data();
    if (!view.data.empty() && (begin < file.data() || begin + view.data.size() > file.data() + file.size()))
      __builtin_trap();  // a view outside the file
  }
  return 0;
}
