// parse_r_serialization (declared in r_data_reader.h): one pass over an XDR
// serialization, mirroring R's ReadItem (src/main/serialize.c). One concept,
// kept whole although it passes 400 lines: each SEXPTYPE's reader sits
// beside the others it recurses into.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "daemon/ctl/r_data_reader.h"

namespace bahed::ctl {
namespace {

// Bounds recursion so that a deeply nested input cannot overflow the stack;
// real data sets nest a handful of levels (list -> column -> attributes).
constexpr int kMaxDepth = 256;

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

Result<RValuePtr> parse_r_serialization(std::string_view bytes) { return Unserializer(bytes).run(); }

}  // namespace bahed::ctl
