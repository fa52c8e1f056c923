#include "encoder/tokenizer/gguf_reader.h"

#include <cstring>
#include <fstream>

namespace bahed::encoder {
namespace {

constexpr uint32_t kGgufMagic = 0x46554747;  // "GGUF" read as a little-endian uint32
// Arrays nest only in exotic files; a bound keeps recursion finite.
constexpr int kMaxArrayDepth = 4;

// Sequential reader that knows how many bytes remain, so every declared
// length can be checked before it is trusted.
class BoundedReader {
 public:
  BoundedReader(std::ifstream& in, uint64_t size) : in_(in), remaining_(size) {}

  uint64_t remaining() const { return remaining_; }

  Status bytes(void* out, uint64_t n) {
    if (n > remaining_) return Status::corruption("GGUF: truncated (needs " + std::to_string(n) + " more bytes)");
    if (n > 0 && !in_.read(static_cast<char*>(out), static_cast<std::streamsize>(n))) {
      return Status::io_error("GGUF: read failed");
    }
    remaining_ -= n;
    return Status::ok();
  }
  Status skip(uint64_t n) {
    if (n > remaining_) return Status::corruption("GGUF: truncated");
    in_.seekg(static_cast<std::streamoff>(n), std::ios::cur);
    if (!in_) return Status::io_error("GGUF: seek failed");
    remaining_ -= n;
    return Status::ok();
  }
  template <typename T>
  Status pod(T& out) {
    return bytes(&out, sizeof(T));
  }
  Status string(std::string& out) {
    uint64_t n = 0;
    BAHED_RETURN_IF_ERROR(pod(n));
    if (n > remaining_) return Status::corruption("GGUF: string length " + std::to_string(n) + " exceeds the file");
    out.resize(static_cast<size_t>(n));
    return bytes(out.data(), n);
  }

 private:
  std::ifstream& in_;
  uint64_t remaining_;
};

// Bytes of a scalar of `type`, or 0 for strings, arrays and unknown types.
uint64_t scalar_size(GgufType type) {
  switch (type) {
    case GgufType::kUint8:
    case GgufType::kInt8:
    case GgufType::kBool:
      return 1;
    case GgufType::kUint16:
    case GgufType::kInt16:
      return 2;
    case GgufType::kUint32:
    case GgufType::kInt32:
    case GgufType::kFloat32:
      return 4;
    case GgufType::kUint64:
    case GgufType::kInt64:
    case GgufType::kFloat64:
      return 8;
    default:
      return 0;
  }
}

bool is_integer(GgufType type) {
  return type != GgufType::kFloat32 && type != GgufType::kFloat64 && scalar_size(type) != 0;
}

// Reads one scalar of a fixed-size type into integer or real.
Status read_scalar(BoundedReader& reader, GgufType type, int64_t& integer, double& real) {
  unsigned char raw[8] = {};
  BAHED_RETURN_IF_ERROR(reader.bytes(raw, scalar_size(type)));
  auto load = [&](auto value) {
    std::memcpy(&value, raw, sizeof(value));
    return value;
  };
  switch (type) {
    case GgufType::kUint8: integer = load(uint8_t{}); break;
    case GgufType::kInt8: integer = load(int8_t{}); break;
    case GgufType::kBool: integer = load(uint8_t{}) != 0; break;
    case GgufType::kUint16: integer = load(uint16_t{}); break;
    case GgufType::kInt16: integer = load(int16_t{}); break;
    case GgufType::kUint32: integer = load(uint32_t{}); break;
    case GgufType::kInt32: integer = load(int32_t{}); break;
    case GgufType::kUint64: {
      const uint64_t v = load(uint64_t{});
      integer = v > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(v);
      break;
    }
    case GgufType::kInt64: integer = load(int64_t{}); break;
    case GgufType::kFloat32: real = load(float{}); break;
    case GgufType::kFloat64: real = load(double{}); break;
    default: return Status::corruption("GGUF: unknown value type");
  }
  return Status::ok();
}

Status read_value(BoundedReader& reader, GgufType type, GgufValue& value, int depth);

Status read_array(BoundedReader& reader, GgufValue& value, int depth) {
  if (depth >= kMaxArrayDepth) return Status::corruption("GGUF: arrays nested too deeply");
  uint32_t element_type = 0;
  uint64_t n = 0;
  BAHED_RETURN_IF_ERROR(reader.pod(element_type));
  BAHED_RETURN_IF_ERROR(reader.pod(n));
  value.element_type = static_cast<GgufType>(element_type);
  const GgufType et = value.element_type;
  // Every element takes at least this many bytes, which bounds `n`.
  const uint64_t min_size = et == GgufType::kString ? 8 : et == GgufType::kArray ? 12 : scalar_size(et);
  if (min_size == 0) return Status::corruption("GGUF: array of unknown type " + std::to_string(element_type));
  if (n > reader.remaining() / min_size) return Status::corruption("GGUF: array length exceeds the file");
  if (et == GgufType::kString) {
    value.texts.resize(static_cast<size_t>(n));
    for (std::string& text : value.texts) BAHED_RETURN_IF_ERROR(reader.string(text));
  } else if (et == GgufType::kArray) {
    GgufValue nested;
    for (uint64_t i = 0; i < n; ++i) {
      nested = GgufValue{};
      BAHED_RETURN_IF_ERROR(read_array(reader, nested, depth + 1));
    }
  } else if (is_integer(et)) {
    value.integers.resize(static_cast<size_t>(n));
    double unused = 0;
    for (int64_t& v : value.integers) BAHED_RETURN_IF_ERROR(read_scalar(reader, et, v, unused));
  } else {
    value.reals.resize(static_cast<size_t>(n));
    int64_t unused = 0;
    for (double& v : value.reals) BAHED_RETURN_IF_ERROR(read_scalar(reader, et, unused, v));
  }
  return Status::ok();
}

Status read_value(BoundedReader& reader, GgufType type, GgufValue& value, int depth) {
  value.type = type;
  if (type == GgufType::kString) return reader.string(value.text);
  if (type == GgufType::kArray) return read_array(reader, value, depth);
  if (scalar_size(type) == 0) return Status::corruption("GGUF: unknown value type " + std::to_string(static_cast<uint32_t>(type)));
  return read_scalar(reader, type, value.integer, value.real);
}

}  // namespace

Result<GgufMetadata> GgufMetadata::read(const std::filesystem::path& path) {
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return Status::not_found(path.string() + " does not exist");
    return Status::io_error(path.string() + ": " + ec.message());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::io_error(path.string() + ": cannot open");
  BoundedReader reader(in, size);
  auto fail = [&](const Status& status) { return status.with_context(path.string()); };

  uint32_t magic = 0;
  GgufMetadata out;
  uint64_t n_tensors = 0;
  uint64_t n_kv = 0;
  if (Status s = reader.pod(magic); !s) return fail(s);
  if (magic != kGgufMagic) return fail(Status::corruption("not a GGUF file (bad magic)"));
  if (Status s = reader.pod(out.version_); !s) return fail(s);
  if (out.version_ != 2 && out.version_ != 3) {
    return fail(Status::corruption("GGUF version " + std::to_string(out.version_) + " is not supported (2 or 3)"));
  }
  if (Status s = reader.pod(n_tensors); !s) return fail(s);
  if (Status s = reader.pod(n_kv); !s) return fail(s);
  // A key-value pair takes at least 8 (key length) + 4 (type) + 1 bytes.
  if (n_kv > reader.remaining() / 13) return fail(Status::corruption("GGUF: key count exceeds the file"));

  for (uint64_t i = 0; i < n_kv; ++i) {
    std::string key;
    uint32_t type = 0;
    GgufValue value;
    if (Status s = reader.string(key); !s) return fail(s);
    if (Status s = reader.pod(type); !s) return fail(s.with_context(key));
    if (Status s = read_value(reader, static_cast<GgufType>(type), value, 0); !s) return fail(s.with_context(key));
    out.values_.insert_or_assign(std::move(key), std::move(value));
  }
  return out;
}

const GgufValue* GgufMetadata::find(std::string_view key) const {
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

std::optional<std::string_view> GgufMetadata::string_value(std::string_view key) const {
  const GgufValue* v = find(key);
  if (!v || v->type != GgufType::kString) return std::nullopt;
  return std::string_view(v->text);
}

std::optional<int64_t> GgufMetadata::integer_value(std::string_view key) const {
  const GgufValue* v = find(key);
  if (!v || !is_integer(v->type)) return std::nullopt;
  return v->integer;
}

std::optional<bool> GgufMetadata::bool_value(std::string_view key) const {
  auto v = integer_value(key);
  if (!v) return std::nullopt;
  return *v != 0;
}

const std::vector<std::string>* GgufMetadata::string_array(std::string_view key) const {
  const GgufValue* v = find(key);
  return v && v->type == GgufType::kArray && v->element_type == GgufType::kString ? &v->texts : nullptr;
}

const std::vector<int64_t>* GgufMetadata::integer_array(std::string_view key) const {
  const GgufValue* v = find(key);
  return v && v->type == GgufType::kArray && is_integer(v->element_type) ? &v->integers : nullptr;
}

const std::vector<double>* GgufMetadata::real_array(std::string_view key) const {
  const GgufValue* v = find(key);
  return v && v->type == GgufType::kArray &&
                 (v->element_type == GgufType::kFloat32 || v->element_type == GgufType::kFloat64)
             ? &v->reals
             : nullptr;
}

}  // namespace bahed::encoder
