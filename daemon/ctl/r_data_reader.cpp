#include "daemon/ctl/r_data_reader.h"

#include <lzma.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace bahed::ctl {
namespace {

// Bounds recursion so that a deeply nested input cannot overflow the stack;
// real data sets nest a handful of levels (list -> column -> attributes).
constexpr int kMaxDepth = 256;
constexpr size_t kChunkBytes = 64 * 1024;

// R's SEXPTYPE codes that only exist in the serialization format.
enum : uint32_t {
  kCharSxp = 9,
  kByteCodeSxp = 21,
  kAltrepSxp = 238,
  kBaseEnvSxp = 241,
  kEmptyEnvSxp = 242,
  kPersistSxp = 247,
  kPackageSxp = 248,
  kNamespaceSxp = 249,
  kBaseNamespaceSxp = 250,
  kMissingArgSxp = 251,
  kUnboundValueSxp = 252,
  kGlobalEnvSxp = 253,
  kNilValueSxp = 254,
  kRefSxp = 255,
};
// CHARSXP encoding bits in the "levels" part of the flags.
constexpr uint32_t kLatin1Mask = 1u << 2;
constexpr uint32_t kUtf8Mask = 1u << 3;

uint32_t load_be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | uint32_t{u[3]};
}

std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

bool is_pairlist_shaped(uint32_t type) {
  return type == 2 || type == 3 || type == 5 || type == 6 || type == 17;
}

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

Result<std::string> read_file_range(const std::string& path, int64_t offset, int64_t length) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Status::io_error("opening " + path + ": " + std::strerror(errno));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> guard(f, &std::fclose);
  if (::fseeko(f, offset, SEEK_SET) != 0) return Status::io_error("seeking in " + path + ": " + std::strerror(errno));
  std::string out(static_cast<size_t>(length), '\0');
  if (std::fread(out.data(), 1, out.size(), f) != out.size())
    return Status::corruption(path + ": short read of " + std::to_string(length) + " bytes at " + std::to_string(offset));
  return out;
}

Result<int64_t> file_size(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Status::io_error("opening " + path + ": " + std::strerror(errno));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> guard(f, &std::fclose);
  if (::fseeko(f, 0, SEEK_END) != 0) return Status::io_error("seeking in " + path + ": " + std::strerror(errno));
  return static_cast<int64_t>(::ftello(f));
}

// One pass over an XDR serialization, mirroring R's ReadItem.
class Unserializer {
 public:
  explicit Unserializer(std::string_view data) : data_(data) {}

  Result<RValuePtr> run() {
    if (data_.size() < 2) return fail("input shorter than the format header");
    if (data_[0] == 'A' || data_[0] == 'B')
      return Status::invalid_argument("only the XDR serialization format is supported, not ASCII or native binary");
    if (data_[0] != 'X' || data_[1] != '\n') return fail("not an R serialization (no \"X\\n\" header)");
    pos_ = 2;
    int32_t version = 0, writer = 0, min_reader = 0;
    BAHED_RETURN_IF_ERROR(read_i32(&version));
    BAHED_RETURN_IF_ERROR(read_i32(&writer));
    BAHED_RETURN_IF_ERROR(read_i32(&min_reader));
    if (version == 3) {
      int32_t n = 0;
      BAHED_RETURN_IF_ERROR(read_i32(&n));
      if (n < 0 || n > 255) return fail("invalid native encoding name length " + std::to_string(n));
      std::string_view enc;
      BAHED_RETURN_IF_ERROR(read_bytes(static_cast<size_t>(n), &enc));
      native_encoding_ = enc;
    } else if (version != 2) {
      return Status::invalid_argument("serialization version " + std::to_string(version) + " is not supported (2 or 3)");
    }
    return read_item(0);
  }

 private:
  Status fail(const std::string& what) const {
    return Status::corruption(what + " at byte " + std::to_string(pos_));
  }
  Status read_bytes(size_t n, std::string_view* out) {
    if (n > data_.size() - pos_) return fail("truncated stream: need " + std::to_string(n) + " bytes");
    *out = data_.substr(pos_, n);
    pos_ += n;
    return Status::ok();
  }
  Status read_i32(int32_t* v) {
    std::string_view b;
    BAHED_RETURN_IF_ERROR(read_bytes(4, &b));
    *v = static_cast<int32_t>(load_be32(b.data()));
    return Status::ok();
  }
  static double decode_f64(const char* p) {
    const uint64_t bits = (uint64_t{load_be32(p)} << 32) | load_be32(p + 4);
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  // A vector length (R's ReadLENGTH, with long vectors), refused when the
  // remaining bytes cannot hold that many elements of `min_bytes` each.
  Status read_length(int64_t* n, size_t min_bytes) {
    int32_t len = 0;
    BAHED_RETURN_IF_ERROR(read_i32(&len));
    int64_t n64 = len;
    if (len == -1) {
      int32_t upper = 0, lower = 0;
      BAHED_RETURN_IF_ERROR(read_i32(&upper));
      BAHED_RETURN_IF_ERROR(read_i32(&lower));
      if (static_cast<uint32_t>(upper) > 65536u) return fail("invalid long vector length");
      n64 = (int64_t{upper} << 32) + static_cast<uint32_t>(lower);
    } else if (len < 0) {
      return fail("negative vector length " + std::to_string(len));
    }
    if (static_cast<uint64_t>(n64) > (data_.size() - pos_) / min_bytes)
      return fail("vector length " + std::to_string(n64) + " exceeds the " + std::to_string(data_.size() - pos_) +
                  " bytes left");
    *n = n64;
    return Status::ok();
  }

  Result<RValuePtr> read_item(int depth) {
    const size_t at = pos_;
    int32_t flags = 0;
    BAHED_RETURN_IF_ERROR(read_i32(&flags));
    return read_item_flags(static_cast<uint32_t>(flags), at, depth);
  }

  Result<RValuePtr> read_item_flags(uint32_t flags, size_t at, int depth);
  Result<RValuePtr> read_pairlist(uint32_t flags, int depth);
  Result<RValuePtr> read_altrep(uint32_t flags, size_t at, int depth);
  Result<RValuePtr> read_reference(uint32_t flags, size_t at);
  Result<RValuePtr> read_persistent(uint32_t type, int depth);
  Result<RValuePtr> read_symbol(int depth);
  Result<RValuePtr> read_environment(int depth);
  Result<RValuePtr> read_vector(uint32_t flags, size_t at, int depth);
  Result<std::optional<std::string>> read_charsxp(uint32_t flags, int depth);
  Result<std::vector<std::optional<std::string>>> read_string_elements(int64_t n, int depth);
  Status read_attributes(RValue* v, int depth);
  Status apply_attributes(const RValue& pairlist, RValue* v) const;
  RValuePtr constant(uint32_t type);

  std::string_view data_;
  size_t pos_ = 0;
  std::vector<RValuePtr> refs_;  // R's reference table, 1-based in the stream
  std::string native_encoding_;
  std::array<RValuePtr, 256> constants_;  // shared NULL and special values
};

RValuePtr Unserializer::constant(uint32_t type) {
  if (constants_[type]) return constants_[type];
  auto v = std::make_shared<RValue>();
  switch (type) {
    case kNilValueSxp: break;
    case kEmptyEnvSxp: v->type = RType::kEnvironment; v->name = "R_EmptyEnv"; break;
    case kBaseEnvSxp: v->type = RType::kEnvironment; v->name = "R_BaseEnv"; break;
    case kGlobalEnvSxp: v->type = RType::kEnvironment; v->name = "R_GlobalEnv"; break;
    case kBaseNamespaceSxp: v->type = RType::kEnvironment; v->name = "R_BaseNamespace"; break;
    case kUnboundValueSxp: v->type = RType::kSymbol; v->name = "<unbound>"; break;
    case kMissingArgSxp: v->type = RType::kSymbol; break;  // R's missing argument is the empty symbol
  }
  constants_[type] = v;
  return v;
}

Result<std::optional<std::string>> Unserializer::read_charsxp(uint32_t flags, int depth) {
  int32_t len = 0;
  BAHED_RETURN_IF_ERROR(read_i32(&len));
  std::optional<std::string> out;
  if (len < -1) return fail("invalid string length " + std::to_string(len));
  if (len >= 0) {
    std::string_view bytes;
    BAHED_RETURN_IF_ERROR(read_bytes(static_cast<size_t>(len), &bytes));
    const uint32_t levels = flags >> 12;
    const bool native_latin1 = (levels & (kUtf8Mask | (1u << 1) | (1u << 6))) == 0 &&
                               (native_encoding_ == "ISO-8859-1" || native_encoding_ == "latin1");
    if ((levels & kLatin1Mask) || native_latin1) {
      out = latin1_to_utf8(bytes);
    } else {
      out = std::string(bytes);
    }
  }
  if (flags & (1u << 9)) {  // old writers attached attributes to CHARSXPs; R drops them too
    BAHED_ASSIGN_OR_RETURN(auto ignored, read_item(depth + 1));
    (void)ignored;
  }
  return out;
}

Result<std::vector<std::optional<std::string>>> Unserializer::read_string_elements(int64_t n, int depth) {
  std::vector<std::optional<std::string>> out;
  out.reserve(static_cast<size_t>(n));  // read_length bounded n by the bytes left
  for (int64_t i = 0; i < n; ++i) {
    int32_t flags = 0;
    BAHED_RETURN_IF_ERROR(read_i32(&flags));
    if ((static_cast<uint32_t>(flags) & 0xFF) != kCharSxp)
      return fail("character vector element of type " + std::to_string(flags & 0xFF) + ", expected CHARSXP (9)");
    BAHED_ASSIGN_OR_RETURN(auto s, read_charsxp(static_cast<uint32_t>(flags), depth));
    out.push_back(std::move(s));
  }
  return out;
}

Status Unserializer::apply_attributes(const RValue& pairlist, RValue* v) const {
  if (pairlist.type == RType::kNull) return Status::ok();
  if (pairlist.type != RType::kPairList) return fail("attributes are not a pairlist");
  for (size_t i = 0; i < pairlist.elements.size(); ++i) v->attributes.emplace_back(pairlist.tags[i], pairlist.elements[i]);
  return Status::ok();
}

Status Unserializer::read_attributes(RValue* v, int depth) {
  BAHED_ASSIGN_OR_RETURN(auto attrs, read_item(depth + 1));
  return apply_attributes(*attrs, v);
}

Result<RValuePtr> Unserializer::read_pairlist(uint32_t flags, int depth) {
  // Iterative over the CDRs, as R reads them, so that long pairlists do not
  // recurse once per cell.
  auto node = std::make_shared<RValue>();
  node->type = static_cast<RType>(flags & 0xFF);
  node->is_object = flags & (1u << 8);
  bool first = true;
  size_t at = pos_;
  while (is_pairlist_shaped(flags & 0xFF)) {
    if (flags & (1u << 9)) {
      BAHED_ASSIGN_OR_RETURN(auto attrs, read_item(depth + 1));
      // Only the head cell's attributes belong to the object.
      if (first) BAHED_RETURN_IF_ERROR(apply_attributes(*attrs, node.get()));
    }
    std::string tag;
    if (flags & (1u << 10)) {
      BAHED_ASSIGN_OR_RETURN(auto t, read_item(depth + 1));
      if (t->type == RType::kSymbol) tag = t->name;
    }
    BAHED_ASSIGN_OR_RETURN(auto car, read_item(depth + 1));
    node->elements.push_back(std::move(car));
    node->tags.push_back(std::move(tag));
    first = false;
    at = pos_;
    int32_t next = 0;
    BAHED_RETURN_IF_ERROR(read_i32(&next));
    flags = static_cast<uint32_t>(next);
  }
  BAHED_ASSIGN_OR_RETURN(auto cdr, read_item_flags(flags, at, depth + 1));
  if (cdr->type != RType::kNull) node->tail = std::move(cdr);
  return RValuePtr(std::move(node));
}

// ALTREP compact_intseq / compact_realseq: state = c(n, first, increment),
// doubles (integers in old R versions). A sequence takes 24 bytes however
// long it is, so lengths beyond the blob's size are refused: expanding can
// then not outgrow the input by more than 8x.
Result<std::shared_ptr<RValue>> expand_compact_sequence(const std::string& cls, const RValue& state,
                                                        size_t blob_bytes, const std::string& where) {
  const bool ints = state.type == RType::kInteger;
  if ((state.type != RType::kReal && !ints) || state.length() != 3)
    return Status::corruption(cls + " state is not a length-3 numeric" + where);
  const auto get = [&](int i) { return ints ? double(state.ints[i]) : state.doubles[i]; };
  const double n = get(0), start = get(1), step = get(2);
  if (!(n >= 0) || n != std::floor(n) || n > double(blob_bytes) || !std::isfinite(start) || !std::isfinite(step))
    return Status::corruption(cls + " length " + std::to_string(n) + " is invalid or exceeds the blob" + where);
  const auto count = static_cast<int64_t>(n);
  auto v = std::make_shared<RValue>();
  if (cls == "compact_intseq") {
    const double last = start + step * double(std::max<int64_t>(count - 1, 0));
    const auto in_range = [](double x) { return x > double(kRNaInteger) && x <= double(INT32_MAX) && x == std::floor(x); };
    if (count > 0 && (!in_range(start) || !in_range(last) || step != std::floor(step)))
      return Status::corruption("compact_intseq leaves the integer range" + where);
    v->type = RType::kInteger;
    v->ints.reserve(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) v->ints.push_back(static_cast<int32_t>(start + step * double(i)));
  } else {
    v->type = RType::kReal;
    v->doubles.reserve(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) v->doubles.push_back(start + step * double(i));
  }
  return v;
}

// ALTREP wrap_*: state = CONS(wrapped vector, metadata); the wrapper only
// caches sortedness, so the value is the wrapped vector.
Result<std::shared_ptr<RValue>> unwrap_vector(const std::string& cls, const RValue& state, const std::string& where) {
  if (state.type != RType::kPairList || state.elements.empty())
    return Status::corruption(cls + " state is not a pairlist" + where);
  const RValue& wrapped = *state.elements[0];
  switch (wrapped.type) {
    case RType::kLogical: case RType::kInteger: case RType::kReal: case RType::kComplex:
    case RType::kString: case RType::kRaw: case RType::kList: break;
    default: return Status::corruption(cls + " wraps a " + std::string(r_type_name(wrapped.type)) + where);
  }
  // Vectors are never reference-table entries, so this one was read just now
  // from its own bytes and copying it keeps memory linear in the input.
  auto v = std::make_shared<RValue>(wrapped);
  v->attributes.clear();
  return v;
}

// ALTREP deferred_string: state = CONS(numeric vector, scipen); R formats
// the numbers on access. Integers format one way only; doubles would need
// R's formatReal, so they are refused.
Result<std::shared_ptr<RValue>> expand_deferred_string(const RValue& state, const std::string& where) {
  if (state.type != RType::kPairList || state.elements.empty())
    return Status::corruption("deferred_string state is not a pairlist" + where);
  const RValue& arg = *state.elements[0];
  if (arg.type != RType::kInteger)
    return Status::invalid_argument("deferred_string of " + std::string(r_type_name(arg.type)) +
                                    " is not supported (only integers)" + where);
  auto v = std::make_shared<RValue>();
  v->type = RType::kString;
  v->strings.reserve(arg.ints.size());
  for (int32_t x : arg.ints) {
    if (x == kRNaInteger) v->strings.emplace_back(std::nullopt);
    else v->strings.emplace_back(std::to_string(x));
  }
  return v;
}

Result<RValuePtr> Unserializer::read_altrep(uint32_t flags, size_t at, int depth) {
  BAHED_ASSIGN_OR_RETURN(auto info, read_item(depth + 1));
  BAHED_ASSIGN_OR_RETURN(auto state, read_item(depth + 1));
  BAHED_ASSIGN_OR_RETURN(auto attr, read_item(depth + 1));
  const std::string where = " at byte " + std::to_string(at);
  if (info->type != RType::kPairList || info->elements.size() < 2 || info->elements[0]->type != RType::kSymbol)
    return Status::corruption("ALTREP class info is not (class, package, type)" + where);
  const std::string& cls = info->elements[0]->name;
  std::shared_ptr<RValue> v;
  if (cls == "compact_intseq" || cls == "compact_realseq") {
    BAHED_ASSIGN_OR_RETURN(v, expand_compact_sequence(cls, *state, data_.size(), where));
  } else if (cls.rfind("wrap_", 0) == 0) {
    BAHED_ASSIGN_OR_RETURN(v, unwrap_vector(cls, *state, where));
  } else if (cls == "deferred_string") {
    BAHED_ASSIGN_OR_RETURN(v, expand_deferred_string(*state, where));
  } else {
    const std::string pkg = info->elements[1]->type == RType::kSymbol ? info->elements[1]->name : "?";
    return Status::invalid_argument("ALTREP class '" + cls + "' (package '" + pkg + "') is not supported" + where);
  }
  v->is_object = flags & (1u << 8);
  BAHED_RETURN_IF_ERROR(apply_attributes(*attr, v.get()));
  return RValuePtr(std::move(v));
}

Result<RValuePtr> Unserializer::read_reference(uint32_t flags, size_t at) {
  int64_t index = flags >> 8;
  if (index == 0) {  // too large to pack into the flags: the index follows
    int32_t i = 0;
    BAHED_RETURN_IF_ERROR(read_i32(&i));
    index = i;
  }
  if (index < 1 || index > static_cast<int64_t>(refs_.size()))
    return Status::corruption("reference to entry " + std::to_string(index) + " of a table of " +
                              std::to_string(refs_.size()) + " at byte " + std::to_string(at));
  return refs_[static_cast<size_t>(index - 1)];
}

Result<RValuePtr> Unserializer::read_persistent(uint32_t type, int depth) {
  int32_t zero = 0;
  BAHED_RETURN_IF_ERROR(read_i32(&zero));
  if (zero != 0) return fail("names in persistent strings are not supported");
  int64_t n = 0;
  BAHED_RETURN_IF_ERROR(read_length(&n, 8));
  auto v = std::make_shared<RValue>();
  v->type = RType::kEnvironment;
  v->name = type == kPersistSxp ? "<persistent>" : type == kPackageSxp ? "<package>" : "<namespace>";
  BAHED_ASSIGN_OR_RETURN(v->strings, read_string_elements(n, depth + 1));
  refs_.push_back(v);
  return RValuePtr(std::move(v));
}

Result<RValuePtr> Unserializer::read_symbol(int depth) {
  int32_t f = 0;
  BAHED_RETURN_IF_ERROR(read_i32(&f));
  if ((static_cast<uint32_t>(f) & 0xFF) != kCharSxp) return fail("symbol name is not a CHARSXP");
  BAHED_ASSIGN_OR_RETURN(auto name, read_charsxp(static_cast<uint32_t>(f), depth + 1));
  auto v = std::make_shared<RValue>();
  v->type = RType::kSymbol;
  v->name = name ? std::move(*name) : "NA";
  refs_.push_back(v);
  return RValuePtr(std::move(v));
}

Result<RValuePtr> Unserializer::read_environment(int depth) {
  int32_t locked = 0;
  BAHED_RETURN_IF_ERROR(read_i32(&locked));
  // Registered before its contents, which may refer to it: the table gets a
  // stub so that such a reference does not make the value own itself.
  auto stub = std::make_shared<RValue>();
  stub->type = RType::kEnvironment;
  stub->env_ref = static_cast<int64_t>(refs_.size()) + 1;
  refs_.push_back(stub);
  auto v = std::make_shared<RValue>(*stub);
  for (int i = 0; i < 3; ++i) {  // enclosure, frame, hash table
    BAHED_ASSIGN_OR_RETURN(auto part, read_item(depth + 1));
    v->elements.push_back(std::move(part));
  }
  BAHED_RETURN_IF_ERROR(read_attributes(v.get(), depth));
  v->is_object = v->attribute("class") != nullptr;  // R does not write the bit for environments
  return RValuePtr(std::move(v));
}

Result<RValuePtr> Unserializer::read_item_flags(uint32_t flags, size_t at, int depth) {
  if (depth > kMaxDepth)
    return Status::corruption("nesting deeper than " + std::to_string(kMaxDepth) + " at byte " + std::to_string(at));
  const uint32_t type = flags & 0xFF;
  switch (type) {
    case kNilValueSxp: case kEmptyEnvSxp: case kBaseEnvSxp: case kGlobalEnvSxp:
    case kBaseNamespaceSxp: case kUnboundValueSxp: case kMissingArgSxp:
      return constant(type);
    case kRefSxp: return read_reference(flags, at);
    case kPersistSxp: case kPackageSxp: case kNamespaceSxp: return read_persistent(type, depth);
    case kAltrepSxp: return read_altrep(flags, at, depth);
    case 1: return read_symbol(depth);
    case 4: return read_environment(depth);
    default: break;
  }
  if (is_pairlist_shaped(type)) return read_pairlist(flags, depth);
  return read_vector(flags, at, depth);
}

// Vectors and the other types whose attributes follow their contents.
Result<RValuePtr> Unserializer::read_vector(uint32_t flags, size_t at, int depth) {
  const uint32_t type = flags & 0xFF;
  auto v = std::make_shared<RValue>();
  v->type = static_cast<RType>(type);
  int64_t n = 0;
  std::string_view b;
  switch (type) {
    case 22: case 23: {  // EXTPTRSXP, WEAKREFSXP: table entries, as stubs (see environments)
      auto stub = std::make_shared<RValue>();
      stub->type = v->type;
      refs_.push_back(stub);
      for (int i = 0; type == 22 && i < 2; ++i) {  // protected value, tag
        BAHED_ASSIGN_OR_RETURN(auto part, read_item(depth + 1));
        v->elements.push_back(std::move(part));
      }
      break;
    }
    case 7: case 8: case 24:  // SPECIALSXP, BUILTINSXP (the primitive's name), RAWSXP
      BAHED_RETURN_IF_ERROR(read_length(&n, 1));
      BAHED_RETURN_IF_ERROR(read_bytes(static_cast<size_t>(n), &b));
      v->name = b;
      break;
    case 10: case 13:  // LGLSXP, INTSXP
      BAHED_RETURN_IF_ERROR(read_length(&n, 4));
      BAHED_RETURN_IF_ERROR(read_bytes(static_cast<size_t>(n) * 4, &b));
      v->ints.resize(static_cast<size_t>(n));
      for (size_t i = 0; i < v->ints.size(); ++i) v->ints[i] = static_cast<int32_t>(load_be32(b.data() + 4 * i));
      break;
    case 14: case 15: {  // REALSXP, CPLXSXP
      const size_t per = type == 14 ? 1 : 2;
      BAHED_RETURN_IF_ERROR(read_length(&n, 8 * per));
      BAHED_RETURN_IF_ERROR(read_bytes(static_cast<size_t>(n) * 8 * per, &b));
      v->doubles.resize(static_cast<size_t>(n) * per);
      for (size_t i = 0; i < v->doubles.size(); ++i) v->doubles[i] = decode_f64(b.data() + 8 * i);
      break;
    }
    case 16: {  // STRSXP: each element a CHARSXP of at least 8 bytes
      BAHED_RETURN_IF_ERROR(read_length(&n, 8));
      BAHED_ASSIGN_OR_RETURN(v->strings, read_string_elements(n, depth + 1));
      break;
    }
    case 19: case 20: {  // VECSXP, EXPRSXP: each element at least one flags word
      BAHED_RETURN_IF_ERROR(read_length(&n, 4));
      v->elements.reserve(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) {
        BAHED_ASSIGN_OR_RETURN(auto e, read_item(depth + 1));
        v->elements.push_back(std::move(e));
      }
      break;
    }
    case 25:  // S4SXP (OBJSXP): only attributes
      break;
    default: {
      const std::string where = " at byte " + std::to_string(at);
      if (type == kCharSxp)
        return Status::invalid_argument("a CHARSXP outside a character vector or symbol is not supported" + where);
      if (type == kByteCodeSxp) return Status::invalid_argument("byte code (BCODESXP, 21) is not supported" + where);
      return Status::invalid_argument("unknown or unsupported SEXP type " + std::to_string(type) + where);
    }
  }
  v->is_object = flags & (1u << 8);
  if (flags & (1u << 9)) BAHED_RETURN_IF_ERROR(read_attributes(v.get(), depth));
  return RValuePtr(std::move(v));
}

}  // namespace

std::string_view r_type_name(RType type) {
  switch (type) {
    case RType::kNull: return "NULL";
    case RType::kSymbol: return "symbol";
    case RType::kPairList: return "pairlist";
    case RType::kClosure: return "closure";
    case RType::kEnvironment: return "environment";
    case RType::kPromise: return "promise";
    case RType::kLanguage: return "language";
    case RType::kSpecial: return "special";
    case RType::kBuiltin: return "builtin";
    case RType::kLogical: return "logical";
    case RType::kInteger: return "integer";
    case RType::kReal: return "double";
    case RType::kComplex: return "complex";
    case RType::kString: return "character";
    case RType::kDots: return "...";
    case RType::kList: return "list";
    case RType::kExpression: return "expression";
    case RType::kExternalPtr: return "externalptr";
    case RType::kWeakRef: return "weakref";
    case RType::kRaw: return "raw";
    case RType::kS4: return "S4";
  }
  return "unknown";
}

bool is_r_na_real(double value) { return std::isnan(value); }

int64_t RValue::length() const {
  switch (type) {
    case RType::kLogical: case RType::kInteger: return static_cast<int64_t>(ints.size());
    case RType::kReal: return static_cast<int64_t>(doubles.size());
    case RType::kComplex: return static_cast<int64_t>(doubles.size() / 2);
    case RType::kString: return static_cast<int64_t>(strings.size());
    case RType::kRaw: return static_cast<int64_t>(name.size());
    case RType::kList: case RType::kExpression: case RType::kPairList: case RType::kLanguage:
    case RType::kClosure: case RType::kPromise: case RType::kDots:
      return static_cast<int64_t>(elements.size());
    default: return 0;
  }
}

const RValue* RValue::attribute(std::string_view attr_name) const {
  for (const auto& [k, v] : attributes)
    if (k == attr_name) return v.get();
  return nullptr;
}

bool RValue::inherits(std::string_view class_name) const {
  const RValue* cls = attribute("class");
  if (!cls || cls->type != RType::kString) return false;
  return std::any_of(cls->strings.begin(), cls->strings.end(), [&](const auto& s) { return s && *s == class_name; });
}

std::vector<std::string> RValue::names() const {
  std::vector<std::string> out;
  if (const RValue* n = attribute("names"); n && n->type == RType::kString) {
    for (const auto& s : n->strings) out.push_back(s.value_or(""));
  } else if (!tags.empty()) {
    out = tags;
  }
  return out;
}

Result<RValuePtr> parse_r_serialization(std::string_view bytes) { return Unserializer(bytes).run(); }

Result<std::string> decompress_rdb_blob(std::string_view blob, RCompression compression, size_t max_bytes) {
  if (compression == RCompression::kNone) return std::string(blob);
  if (blob.size() < 4) return Status::corruption("compressed blob shorter than its 4-byte length header");
  const size_t declared = load_be32(blob.data());
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

Result<RValuePtr> read_rds_file(const std::string& path) {
  BAHED_ASSIGN_OR_RETURN(int64_t size, file_size(path));
  if (static_cast<uint64_t>(size) > LazyLoadDb::kDefaultMaxBlobBytes) return Status::corruption(path + " is too large");
  BAHED_ASSIGN_OR_RETURN(std::string raw, read_file_range(path, 0, size));
  BAHED_ASSIGN_OR_RETURN(std::string bytes, decompress_rds(raw, LazyLoadDb::kDefaultMaxBlobBytes));
  auto v = parse_r_serialization(bytes);
  if (!v.is_ok()) return v.status().with_context(path);
  return v;
}

Result<LazyLoadDb> LazyLoadDb::open(const std::string& dir, const std::string& base, size_t max_blob_bytes) {
  const std::string rdx_path = dir + "/" + base + ".rdx";
  LazyLoadDb db;
  db.rdb_path_ = dir + "/" + base + ".rdb";
  db.max_blob_bytes_ = max_blob_bytes;
  BAHED_ASSIGN_OR_RETURN(int64_t rdx_size, file_size(rdx_path));
  if (static_cast<uint64_t>(rdx_size) > max_blob_bytes) return Status::corruption(rdx_path + " is too large");
  BAHED_ASSIGN_OR_RETURN(std::string raw, read_file_range(rdx_path, 0, rdx_size));
  auto bytes = decompress_rds(raw, max_blob_bytes);
  if (!bytes.is_ok()) return bytes.status().with_context(rdx_path);
  auto parsed = parse_r_serialization(*bytes);
  if (!parsed.is_ok()) return parsed.status().with_context(rdx_path);
  const RValue& index = **parsed;
  const auto bad = [&](const std::string& why) { return Status::corruption(rdx_path + ": " + why); };
  if (index.type != RType::kList) return bad("index is not a list");
  const std::vector<std::string> keys = index.names();
  const RValue* variables = nullptr;
  const RValue* compressed = nullptr;
  for (size_t i = 0; i < keys.size() && i < index.elements.size(); ++i) {
    if (keys[i] == "variables") variables = index.elements[i].get();
    if (keys[i] == "compressed") compressed = index.elements[i].get();
  }
  if (!variables || variables->type != RType::kList) return bad("no 'variables' list");
  if (!compressed) return bad("no 'compressed' field");
  int64_t mode = -1;
  if ((compressed->type == RType::kLogical || compressed->type == RType::kInteger) && compressed->ints.size() == 1)
    mode = compressed->ints[0];
  else if (compressed->type == RType::kReal && compressed->doubles.size() == 1 && compressed->doubles[0] >= 0 &&
           compressed->doubles[0] <= 3)
    mode = static_cast<int64_t>(compressed->doubles[0]);
  if (mode < 0 || mode > 3) return bad("'compressed' is not FALSE, TRUE, 2 or 3");
  db.compression_ = static_cast<RCompression>(mode);
  BAHED_ASSIGN_OR_RETURN(int64_t rdb_size, file_size(db.rdb_path_));
  db.names_ = variables->names();
  if (db.names_.size() != variables->elements.size()) return bad("'variables' has no names");
  for (size_t i = 0; i < db.names_.size(); ++i) {
    const RValue& key = *variables->elements[i];
    Entry e;
    if (key.type == RType::kInteger && key.ints.size() == 2) {
      e = {key.ints[0], key.ints[1]};
    } else if (key.type == RType::kReal && key.doubles.size() == 2 && std::isfinite(key.doubles[0]) &&
               std::isfinite(key.doubles[1]) && std::fabs(key.doubles[0]) < 9e15 && std::fabs(key.doubles[1]) < 9e15) {
      e = {static_cast<int64_t>(key.doubles[0]), static_cast<int64_t>(key.doubles[1])};
    } else {
      return bad("key of '" + db.names_[i] + "' is not (offset, length)");
    }
    if (e.offset < 0 || e.length < 0 || e.offset > rdb_size || e.length > rdb_size - e.offset)
      return bad("key of '" + db.names_[i] + "' lies outside " + db.rdb_path_);
    db.entries_.push_back(e);
  }
  return db;
}

Result<RValuePtr> LazyLoadDb::read(std::string_view name) const {
  const auto it = std::find(names_.begin(), names_.end(), name);
  if (it == names_.end()) {
    std::string known;
    for (const auto& n : names_) known += (known.empty() ? "" : ", ") + n;
    return Status::not_found("no object '" + std::string(name) + "' in " + rdb_path_ + " (has: " + known + ")");
  }
  const Entry& e = entries_[static_cast<size_t>(it - names_.begin())];
  if (static_cast<uint64_t>(e.length) > max_blob_bytes_) return Status::corruption("blob of '" + *it + "' is too large");
  BAHED_ASSIGN_OR_RETURN(std::string blob, read_file_range(rdb_path_, e.offset, e.length));
  auto bytes = decompress_rdb_blob(blob, compression_, max_blob_bytes_);
  if (!bytes.is_ok()) return bytes.status().with_context(rdb_path_ + " object '" + *it + "'");
  auto value = parse_r_serialization(*bytes);
  if (!value.is_ok()) return value.status().with_context(rdb_path_ + " object '" + *it + "'");
  if ((*value)->type == RType::kPromise)
    return Status::invalid_argument(rdb_path_ + " object '" + *it + "' is a promise; evaluating R code is not supported");
  return value;
}

Result<RValuePtr> read_lazyload_object(const std::string& data_dir, std::string_view name) {
  BAHED_ASSIGN_OR_RETURN(LazyLoadDb db, LazyLoadDb::open(data_dir));
  return db.read(name);
}

Result<std::vector<std::optional<std::string>>> r_strings(const RValue& value) {
  if (value.type == RType::kString) return value.strings;
  const RValue* levels = value.attribute("levels");
  if (value.type != RType::kInteger || !value.inherits("factor") || !levels || levels->type != RType::kString)
    return Status::invalid_argument("expected a character vector or factor, got " + std::string(r_type_name(value.type)));
  std::vector<std::optional<std::string>> out;
  out.reserve(value.ints.size());
  for (int32_t code : value.ints) {
    if (code == kRNaInteger) {
      out.emplace_back(std::nullopt);
    } else if (code < 1 || static_cast<size_t>(code) > levels->strings.size()) {
      return Status::corruption("factor code " + std::to_string(code) + " outside its " +
                                std::to_string(levels->strings.size()) + " levels");
    } else {
      out.push_back(levels->strings[static_cast<size_t>(code) - 1]);
    }
  }
  return out;
}

const RColumn* RDataFrame::column(std::string_view column_name) const {
  for (const auto& c : columns)
    if (c.name == column_name) return &c;
  return nullptr;
}

Result<RDataFrame> to_data_frame(const RValue& value) {
  if (value.type != RType::kList || !value.inherits("data.frame"))
    return Status::invalid_argument("not a data.frame (type " + std::string(r_type_name(value.type)) + ")");
  const std::vector<std::string> names = value.names();
  if (names.size() != value.elements.size()) return Status::corruption("data.frame names do not match its columns");
  RDataFrame frame;
  // R stores automatic row names compactly as c(NA, -n).
  if (const RValue* rn = value.attribute("row.names")) {
    if (rn->type == RType::kInteger && rn->ints.size() == 2 && rn->ints[0] == kRNaInteger)
      frame.n_rows = rn->ints[1] == kRNaInteger ? 0 : std::abs(int64_t{rn->ints[1]});
    else
      frame.n_rows = rn->length();
  } else if (!value.elements.empty()) {
    frame.n_rows = value.elements[0]->length();
  }
  for (size_t i = 0; i < value.elements.size(); ++i) {
    const RValue& col = *value.elements[i];
    RColumn out;
    out.name = names[i];
    if (col.type == RType::kString || (col.type == RType::kInteger && col.inherits("factor"))) {
      out.type = RType::kString;
      out.was_factor = col.type == RType::kInteger;
      auto strings = r_strings(col);
      if (!strings.is_ok()) return strings.status().with_context("column '" + out.name + "'");
      out.strings = std::move(strings).value();
    } else if (col.type == RType::kInteger || col.type == RType::kLogical) {
      out.type = RType::kInteger;
      out.ints = col.ints;
    } else if (col.type == RType::kReal) {
      out.type = RType::kReal;
      out.doubles = col.doubles;
    } else {
      return Status::invalid_argument("column '" + out.name + "' has unsupported type " +
                                      std::string(r_type_name(col.type)));
    }
    if (col.length() != frame.n_rows)
      return Status::corruption("column '" + out.name + "' has " + std::to_string(col.length()) + " rows, frame has " +
                                std::to_string(frame.n_rows));
    frame.columns.push_back(std::move(out));
  }
  return frame;
}

}  // namespace bahed::ctl
