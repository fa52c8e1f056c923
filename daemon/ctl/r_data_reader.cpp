#include "daemon/ctl/r_data_reader.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

namespace bahed::ctl {
namespace {

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
