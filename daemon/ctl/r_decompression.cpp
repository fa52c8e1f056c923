#include "daemon/ctl/r_decompression.h"

#include <lzma.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <memory>

namespace bahed::ctl {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;

// Appends what a decoder produced, refusing to grow past `limit`: output is
// bounded by what the stream really yields, never by a declared length.
Status append_bounded(std::string* out, const unsigned char* buf, size_t n, size_t limit) {
  if (out->size() + n > limit)
    return Status::corruption("compressed data expands past the limit of " + std::to_string(limit) + " bytes");
  out->append(reinterpret_cast<const char*>(buf), n);
  return Status::ok();
}

// zlib or gzip (auto-detected); `multi_member` accepts concatenated gzip
// members, as gzfile() does.
Status inflate_into(std::string_view in, size_t limit, bool multi_member, std::string* out) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Status::internal("zlib inflateInit2 failed");
  struct End {
    void operator()(z_stream* z) const { inflateEnd(z); }
  };
  std::unique_ptr<z_stream, End> guard(&zs);
  std::array<unsigned char, kChunkBytes> buf;
  size_t fed = 0;
  for (;;) {
    if (zs.avail_in == 0 && fed < in.size()) {
      const size_t n = std::min<size_t>(in.size() - fed, 1u << 30);  // avail_in is 32-bit
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + fed));
      zs.avail_in = static_cast<uInt>(n);
      fed += n;
    }
    zs.next_out = buf.data();
    zs.avail_out = static_cast<uInt>(buf.size());
    const int ret = inflate(&zs, Z_NO_FLUSH);
    BAHED_RETURN_IF_ERROR(append_bounded(out, buf.data(), buf.size() - zs.avail_out, limit));
    if (ret == Z_STREAM_END) {
      const size_t left = zs.avail_in + (in.size() - fed);
      if (left == 0) return Status::ok();
      if (!multi_member) return Status::corruption(std::to_string(left) + " bytes after the end of the zlib stream");
      if (inflateReset(&zs) != Z_OK) return Status::internal("zlib inflateReset failed");
      continue;
    }
    if (ret == Z_BUF_ERROR && zs.avail_in == 0 && fed == in.size())
      return Status::corruption("truncated zlib/gzip stream");
    if (ret != Z_OK)
      return Status::corruption(std::string("zlib: ") + (zs.msg ? zs.msg : "error " + std::to_string(ret)));
  }
}

// An .xz container (xz_format) or R's raw LZMA2 stream (R_compress3).
Status lzma_into(std::string_view in, size_t limit, bool xz_format, size_t declared, std::string* out) {
  lzma_stream strm = LZMA_STREAM_INIT;
  struct End {
    void operator()(lzma_stream* s) const { lzma_end(s); }
  };
  lzma_ret init;
  lzma_options_lzma opts{};
  if (xz_format) {
    init = lzma_stream_decoder(&strm, uint64_t{1} << 30, LZMA_CONCATENATED);
  } else {
    // R encodes with LZMA2 preset 6. A stream that yields `declared` bytes
    // cannot reach further back than that, so a smaller dictionary decodes
    // it as well and keeps memory proportional to the blob.
    if (lzma_lzma_preset(&opts, 6)) return Status::internal("lzma preset 6 unavailable");
    opts.dict_size = static_cast<uint32_t>(std::clamp<size_t>(declared, LZMA_DICT_SIZE_MIN, opts.dict_size));
    const lzma_filter filters[] = {{LZMA_FILTER_LZMA2, &opts}, {LZMA_VLI_UNKNOWN, nullptr}};
    init = lzma_raw_decoder(&strm, filters);
  }
  if (init != LZMA_OK) return Status::internal("liblzma decoder init failed: " + std::to_string(init));
  std::unique_ptr<lzma_stream, End> guard(&strm);
  strm.next_in = reinterpret_cast<const uint8_t*>(in.data());
  strm.avail_in = in.size();
  std::array<unsigned char, kChunkBytes> buf;
  for (;;) {
    strm.next_out = buf.data();
    strm.avail_out = buf.size();
    const lzma_ret ret = lzma_code(&strm, LZMA_FINISH);
    BAHED_RETURN_IF_ERROR(append_bounded(out, buf.data(), buf.size() - strm.avail_out, limit));
    if (ret == LZMA_STREAM_END) return Status::ok();
    if (ret == LZMA_OK) continue;
    // R itself accepts a raw stream without end marker once all input is used.
    if (ret == LZMA_BUF_ERROR && !xz_format && strm.avail_in == 0 && out->size() == declared) return Status::ok();
    if (ret == LZMA_BUF_ERROR) return Status::corruption("truncated xz/LZMA stream");
    return Status::corruption("liblzma: decode error " + std::to_string(ret));
  }
}

}  // namespace

Result<std::string> decompress_rdb_blob(std::string_view blob, RCompression compression, size_t max_bytes) {
  if (compression == RCompression::kNone) return std::string(blob);
  if (blob.size() < 4) return Status::corruption("compressed blob shorter than its 4-byte length header");
  const auto* b = reinterpret_cast<const unsigned char*>(blob.data());  // big-endian
  const size_t declared = (size_t{b[0]} << 24) | (size_t{b[1]} << 16) | (size_t{b[2]} << 8) | size_t{b[3]};
  if (declared > max_bytes)
    return Status::corruption("blob declares " + std::to_string(declared) + " bytes, over the limit of " +
                              std::to_string(max_bytes));
  std::string out;
  Status st;
  if (compression == RCompression::kZlib) {
    st = inflate_into(blob.substr(4), declared, false, &out);  // R_decompress1: no type byte
  } else {
    if (blob.size() < 5) return Status::corruption("compressed blob has no type byte");
    const char kind = blob[4];
    const std::string_view payload = blob.substr(5);
    if (kind == 'Z' && compression == RCompression::kXz) st = lzma_into(payload, declared, false, declared, &out);
    else if (kind == '1') st = inflate_into(payload, declared, false, &out);
    else if (kind == '0') out = std::string(payload);
    else if (kind == '2') return Status::invalid_argument("bzip2-compressed blobs are not supported (libbz2 is not linked)");
    else return Status::corruption("unknown blob compression type byte " + std::to_string(uint8_t(kind)));
  }
  BAHED_RETURN_IF_ERROR(st);
  if (out.size() != declared)
    return Status::corruption("blob decompressed to " + std::to_string(out.size()) + " bytes, header says " +
                              std::to_string(declared));
  return out;
}

Result<std::string> decompress_rds(std::string_view file_bytes, size_t max_bytes) {
  const auto starts = [&](std::string_view magic) { return file_bytes.substr(0, magic.size()) == magic; };
  std::string out;
  if (starts("\x1f\x8b")) {
    BAHED_RETURN_IF_ERROR(inflate_into(file_bytes, max_bytes, true, &out));
  } else if (starts(std::string_view("\xFD" "7zXZ\0", 6))) {
    BAHED_RETURN_IF_ERROR(lzma_into(file_bytes, max_bytes, true, 0, &out));
  } else if (starts("BZh")) {
    return Status::invalid_argument("bzip2-compressed .rds files are not supported (libbz2 is not linked)");
  } else if (starts("X\n") || starts("A\n") || starts("B\n")) {
    if (file_bytes.size() > max_bytes) return Status::corruption("file exceeds the size limit");
    out = std::string(file_bytes);
  } else {
    return Status::corruption("not an .rds file (unknown magic bytes)");
  }
  return out;
}

}  // namespace bahed::ctl
