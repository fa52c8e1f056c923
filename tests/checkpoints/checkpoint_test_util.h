#pragma once
// Helpers for the checkpoint tests: a temporary directory, a tiny valid
// safetensors file, sample manifest fields, and file edits that simulate
// corruption.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "checkpoints/manifest.h"
#include "tests/common/temp_dir.h"

namespace bahed::checkpoints::testing {

using bahed::testing::TempDir;

// A valid safetensors file with one F32 tensor "w" of shape [4] whose
// values depend on `seed`.
inline std::string tiny_safetensors(int seed) {
  std::string header = R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})";
  while ((8 + header.size()) % 8 != 0) header.push_back(' ');
  const uint64_t header_size = header.size();
  std::string out(8, '\0');
  std::memcpy(out.data(), &header_size, 8);
  out += header;
  for (int i = 0; i < 4; ++i) {
    const float v = static_cast<float>(seed * 10 + i) / 8.0f;
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  return out;
}

inline ManifestFields sample_fields(int64_t step) {
  ManifestFields f;
  f.step = step;
  f.targets_trained = step * 256;
  f.offsets = {{0, 100 + step}, {1, 200 + step}, {7, 0}};
  f.event_time_watermark_ms = 1'600'000'000'000 + step;
  f.base_model_fingerprint = "sha256:base-model";
  f.encoder_fingerprint = "sha256:encoder";
  f.model_config = R"({"n_layers_deep":2,"hidden":64,"granularity":"event"})";
  f.metrics = {{"auc", 0.71}, {"logloss", 0.52}};
  f.audit.partitions = {{0, {step * 200, 0xfedcba9876543210ULL}}, {1, {step * 56, 0x0123456789abcdefULL}}};
  return f;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void overwrite_file(const std::filesystem::path& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
}

}  // namespace bahed::checkpoints::testing
