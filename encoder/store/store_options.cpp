#include "encoder/store/store_options.h"

#include <string>

namespace bahed::encoder {
namespace {

constexpr uint64_t kMinBlockCacheBytes = 1ull << 20;
constexpr uint64_t kMinWriteBufferBytes = 1ull << 20;

}  // namespace

std::string_view vector_dtype_name(VectorDtype dtype) { return dtype == VectorDtype::kFp16 ? "fp16" : "bf16"; }

std::optional<VectorDtype> parse_vector_dtype(std::string_view name) {
  if (name == "fp16") return VectorDtype::kFp16;
  if (name == "bf16") return VectorDtype::kBf16;
  return std::nullopt;
}

std::string_view block_compression_name(BlockCompression compression) {
  switch (compression) {
    case BlockCompression::kNone: return "none";
    case BlockCompression::kLz4: return "lz4";
    case BlockCompression::kZstd: return "zstd";
  }
  return "unknown";
}

std::optional<BlockCompression> parse_block_compression(std::string_view name) {
  if (name == "none") return BlockCompression::kNone;
  if (name == "lz4") return BlockCompression::kLz4;
  if (name == "zstd") return BlockCompression::kZstd;
  return std::nullopt;
}

Status StoreOptions::validate() const {
  if (path.empty()) return Status::invalid_argument("store.path must be set");
  if (block_cache_bytes < kMinBlockCacheBytes) {
    return Status::invalid_argument("store.block_cache_bytes must be >= " + std::to_string(kMinBlockCacheBytes) +
                                    ", got " + std::to_string(block_cache_bytes));
  }
  if (vector_dtype != VectorDtype::kFp16 && vector_dtype != VectorDtype::kBf16) {
    return Status::invalid_argument("store.vector_dtype must be bf16 or fp16");
  }
  if (history_length == 0 || history_length > kMaxHistoryLength) {
    return Status::invalid_argument("store.history_length must be in [1, " + std::to_string(kMaxHistoryLength) +
                                    "], got " + std::to_string(history_length));
  }
  if (bloom_bits_per_key > 64) {
    return Status::invalid_argument("store.bloom_bits_per_key must be in [0, 64], got " +
                                    std::to_string(bloom_bits_per_key));
  }
  if (write_buffer_bytes < kMinWriteBufferBytes) {
    return Status::invalid_argument("store.write_buffer_bytes must be >= " + std::to_string(kMinWriteBufferBytes) +
                                    ", got " + std::to_string(write_buffer_bytes));
  }
  if (max_background_jobs == 0 || max_background_jobs > 64) {
    return Status::invalid_argument("store.max_background_jobs must be in [1, 64], got " +
                                    std::to_string(max_background_jobs));
  }
  if (compression != BlockCompression::kNone && compression != BlockCompression::kLz4 &&
      compression != BlockCompression::kZstd) {
    return Status::invalid_argument("store.compression must be none, lz4 or zstd");
  }
  return Status::ok();
}

}  // namespace bahed::encoder
