#pragma once
// Decompression of what R writes: .rds files (gzip, xz, or none) and the
// blobs of lazy-load databases (R_decompress1/2/3 framing). Output never
// grows past the stated limit, whatever the input declares (a fuzzer runs
// on these inputs through r_data_reader.h).
//
// Thread safety: the functions are pure.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace bahed::ctl {

// How the blobs of a lazy-load database are compressed: the `compressed`
// field of its .rdx index (FALSE, TRUE, 2, 3 in R's makeLazyLoadDB).
enum class RCompression : uint8_t { kNone = 0, kZlib = 1, kBzip2 = 2, kXz = 3 };

// Decompresses one .rdb blob with R's framing (R_decompress1/2/3): a 4-byte
// big-endian uncompressed length, then for kZlib the zlib stream; for kBzip2
// and kXz a type byte ('Z' xz/raw LZMA2, '2' bzip2, '1' zlib, '0' stored)
// and the payload. The declared length must be at most `max_bytes` and must
// match what the stream produces.
Result<std::string> decompress_rdb_blob(std::string_view blob, RCompression compression, size_t max_bytes);

// Decompresses a whole .rds/.rdx file: gzip, zlib or xz container, or an
// uncompressed serialization, detected from the magic bytes.
Result<std::string> decompress_rds(std::string_view file_bytes, size_t max_bytes);

}  // namespace bahed::ctl
