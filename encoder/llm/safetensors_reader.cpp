#include "encoder/llm/safetensors_reader.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>
#include <string>

#include "encoder/llm/durable_file.h"

namespace bahed::encoder {
namespace {

constexpr size_t kMaxIndexBytes = size_t{64} << 20;

Status corrupt(std::string msg) { return Status::corruption("safetensors: " + std::move(msg)); }

std::string q_name(std::string_view name) {
  std::string out(1, '\'');  // appended piecewise: GCC 12 misreports "'" + std::string
  out.append(name).push_back('\'');
  return out;
}

// Reads a JSON array of unsigned integers, each <= INT64_MAX.
Status read_u64_array(simdjson::dom::element el, std::string_view what, std::vector<uint64_t>& out) {
  simdjson::dom::array arr;
  if (el.get_array().get(arr) != simdjson::SUCCESS) return corrupt(std::string(what) + " is not an array");
  for (simdjson::dom::element item : arr) {
    uint64_t v = 0;
    if (item.get_uint64().get(v) != simdjson::SUCCESS || v > uint64_t(std::numeric_limits<int64_t>::max())) {
      return corrupt(std::string(what) + " holds a value that is not a non-negative integer");
    }
    out.push_back(v);
  }
  return Status::ok();
}

Status parse_tensor_entry(std::string_view name, simdjson::dom::element el, std::span<const std::byte> data,
                          TensorView& view) {
  simdjson::dom::object obj;
  if (el.get_object().get(obj) != simdjson::SUCCESS) return corrupt("tensor " + q_name(name) + " is not an object");
  std::string_view dtype_name;
  if (obj["dtype"].get_string().get(dtype_name) != simdjson::SUCCESS) {
    return corrupt("tensor " + q_name(name) + " has no dtype string");
  }
  const std::optional<SafetensorsDtype> dtype = parse_safetensors_dtype(dtype_name);
  if (!dtype) return corrupt("tensor " + q_name(name) + " has unknown dtype " + q_name(dtype_name));
  view.dtype = *dtype;

  simdjson::dom::element shape_el, offsets_el;
  std::vector<uint64_t> shape, offsets;
  if (obj["shape"].get(shape_el) != simdjson::SUCCESS) return corrupt("tensor " + q_name(name) + " has no shape");
  BAHED_RETURN_IF_ERROR(read_u64_array(shape_el, "shape of " + q_name(name), shape));
  if (obj["data_offsets"].get(offsets_el) != simdjson::SUCCESS) {
    return corrupt("tensor " + q_name(name) + " has no data_offsets");
  }
  BAHED_RETURN_IF_ERROR(read_u64_array(offsets_el, "data_offsets of " + q_name(name), offsets));
  if (offsets.size() != 2) return corrupt("data_offsets of " + q_name(name) + " must hold [begin, end]");

  // numel * dtype size without overflow; anything above the data size fails below.
  uint64_t n_bytes = safetensors_dtype_size(view.dtype);
  for (uint64_t dim : shape) {
    if (__builtin_mul_overflow(n_bytes, dim, &n_bytes)) {
      return corrupt("shape of " + q_name(name) + " overflows 64 bits");
    }
  }
  const uint64_t begin = offsets[0], end = offsets[1];
  if (begin > end || end > data.size()) {
    return corrupt("data_offsets of " + q_name(name) + " [" + std::to_string(begin) + ", " + std::to_string(end) +
                   "] are out of range of the " + std::to_string(data.size()) + "-byte data section");
  }
  if (end - begin != n_bytes) {
    return corrupt("tensor " + q_name(name) + " spans " + std::to_string(end - begin) + " bytes but dtype " +
                   std::string(dtype_name) + " and its shape need " + std::to_string(n_bytes));
  }
  view.shape.assign(shape.begin(), shape.end());
  view.data = data.subspan(begin, end - begin);
  return Status::ok();
}

Status parse_metadata(simdjson::dom::element el, std::map<std::string, std::string, std::less<>>& out) {
  simdjson::dom::object obj;
  if (el.get_object().get(obj) != simdjson::SUCCESS) return corrupt("__metadata__ is not an object");
  for (auto field : obj) {
    std::string_view v;
    if (field.value.get_string().get(v) != simdjson::SUCCESS) {
      return corrupt("__metadata__ value of " + q_name(field.key) + " is not a string");
    }
    out.emplace(std::string(field.key), std::string(v));
  }
  return Status::ok();
}

// Tensors must tile the data section: sorted by offset, each starts where the
// previous ended, and the last ends at the end of the file.
Status check_tiling(const SafetensorsContents& contents, std::span<const std::byte> data) {
  std::vector<std::pair<const std::string*, const TensorView*>> order;
  order.reserve(contents.tensors.size());
  for (const auto& [name, view] : contents.tensors) order.emplace_back(&name, &view);
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    const auto& da = a.second->data;
    const auto& db = b.second->data;
    return da.data() != db.data() ? da.data() < db.data() : da.size() < db.size();
  });
  const std::byte* expected = data.data();
  const std::string* previous = nullptr;
  for (const auto& [name, view] : order) {
    const std::byte* start = view->data.data();
    if (start < expected) return corrupt("tensor " + q_name(*name) + " overlaps tensor " + q_name(*previous));
    if (start > expected) {
      return corrupt("gap of " + std::to_string(start - expected) + " bytes in the data section before tensor " +
                     q_name(*name));
    }
    expected = start + view->data.size();
    previous = name;
  }
  const std::byte* data_end = data.data() + data.size();
  if (expected != data_end) {
    return corrupt(std::to_string(data_end - expected) + " bytes after the last tensor are not covered by the header");
  }
  return Status::ok();
}

}  // namespace

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

Result<SafetensorsContents> parse_safetensors(std::span<const std::byte> file) {
  if (file.size() < 8) {
    return corrupt("file of " + std::to_string(file.size()) + " bytes is shorter than the 8-byte header length");
  }
  uint64_t header_size = 0;
  std::memcpy(&header_size, file.data(), 8);
  if (header_size > file.size() - 8) {
    return corrupt("header length " + std::to_string(header_size) + " is beyond the end of the " +
                   std::to_string(file.size()) + "-byte file");
  }
  if (header_size > kMaxSafetensorsHeaderBytes) {
    return corrupt("header length " + std::to_string(header_size) + " exceeds the 100 MB limit");
  }
  const auto* header = reinterpret_cast<const char*>(file.data() + 8);
  if (header_size == 0 || header[0] != '{') return corrupt("bad JSON header: it must start with '{'");
  const std::span<const std::byte> data = file.subspan(8 + header_size);

  // Bounded: the parser allocates in proportion to header_size (<= file size).
  simdjson::dom::parser parser(std::max<size_t>(header_size, 64));  // simdjson allocates at least 32
  const simdjson::padded_string padded(header, header_size);
  simdjson::dom::element root;
  if (auto err = parser.parse(padded).get(root); err != simdjson::SUCCESS) {
    return corrupt(std::string("bad JSON header: ") + simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) return corrupt("bad JSON header: not an object");

  SafetensorsContents contents;
  bool seen_metadata = false;
  for (auto field : obj) {
    if (field.key == "__metadata__") {
      if (seen_metadata) return corrupt("duplicate __metadata__");
      seen_metadata = true;
      BAHED_RETURN_IF_ERROR(parse_metadata(field.value, contents.metadata));
      continue;
    }
    if (contents.tensors.count(field.key) != 0) return corrupt("duplicate tensor name " + q_name(field.key));
    TensorView view;
    BAHED_RETURN_IF_ERROR(parse_tensor_entry(field.key, field.value, data, view));
    contents.tensors.emplace(std::string(field.key), std::move(view));
  }
  BAHED_RETURN_IF_ERROR(check_tiling(contents, data));
  return contents;
}

const TensorView* SafetensorsReader::find(std::string_view name) const {
  const auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

Result<SafetensorsReader> SafetensorsReader::open_file(const std::filesystem::path& path) {
  BAHED_ASSIGN_OR_RETURN(MappedFile file, MappedFile::open(path));
  Result<SafetensorsContents> contents = parse_safetensors(file.bytes());
  if (!contents.is_ok()) return contents.status().with_context(path.string());
  SafetensorsReader reader;
  reader.tensors_ = std::move(contents->tensors);
  reader.files_.push_back(std::move(file));
  return reader;
}

namespace {

// A shard name from the index must stay inside the checkpoint directory.
bool is_plain_file_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos &&
         name.find('\0') == std::string_view::npos;
}

Result<std::map<std::string, std::string, std::less<>>> read_weight_map(const std::filesystem::path& index_path) {
  BAHED_ASSIGN_OR_RETURN(std::string text, read_small_file(index_path, kMaxIndexBytes));
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(text);
  simdjson::dom::element root;
  simdjson::dom::object weight_map;
  if (auto err = parser.parse(padded).get(root); err != simdjson::SUCCESS) {
    return corrupt(index_path.string() + ": bad JSON: " + simdjson::error_message(err));
  }
  if (root["weight_map"].get_object().get(weight_map) != simdjson::SUCCESS) {
    return corrupt(index_path.string() + ": no 'weight_map' object");
  }
  std::map<std::string, std::string, std::less<>> out;
  for (auto field : weight_map) {
    std::string_view shard;
    if (field.value.get_string().get(shard) != simdjson::SUCCESS || !is_plain_file_name(shard)) {
      return corrupt(index_path.string() + ": weight_map entry " + q_name(field.key) +
                     " does not name a file in the checkpoint directory");
    }
    if (!out.emplace(std::string(field.key), std::string(shard)).second) {
      return corrupt(index_path.string() + ": duplicate weight_map entry " + q_name(field.key));
    }
  }
  return out;
}

}  // namespace

Result<SafetensorsReader> SafetensorsReader::open_dir(const std::filesystem::path& dir) {
  const std::filesystem::path single = dir / "model.safetensors";
  std::error_code ec;
  if (std::filesystem::exists(single, ec)) return open_file(single);
  const std::filesystem::path index_path = dir / "model.safetensors.index.json";
  if (!std::filesystem::exists(index_path, ec)) {
    return Status::not_found("neither model.safetensors nor model.safetensors.index.json in " + dir.string());
  }
  BAHED_ASSIGN_OR_RETURN(auto weight_map, read_weight_map(index_path));
  std::set<std::string> shards;
  for (const auto& [name, shard] : weight_map) shards.insert(shard);

  SafetensorsReader reader;
  for (const std::string& shard : shards) {
    const std::filesystem::path path = dir / shard;
    BAHED_ASSIGN_OR_RETURN(MappedFile file, MappedFile::open(path));
    Result<SafetensorsContents> contents = parse_safetensors(file.bytes());
    if (!contents.is_ok()) return contents.status().with_context(path.string());
    for (auto& [name, view] : contents->tensors) {
      const auto it = weight_map.find(name);
      if (it == weight_map.end() || it->second != shard) {
        return corrupt("shard " + shard + " holds tensor " + q_name(name) + " that the weight_map " +
                       (it == weight_map.end() ? "does not list" : "assigns to " + it->second));
      }
      reader.tensors_.emplace(name, std::move(view));
    }
    reader.files_.push_back(std::move(file));
  }
  for (const auto& [name, shard] : weight_map) {
    if (reader.tensors_.count(name) == 0) {
      return corrupt("weight_map assigns tensor " + q_name(name) + " to shard " + shard + ", which lacks it");
    }
  }
  return reader;
}

}  // namespace bahed::encoder
