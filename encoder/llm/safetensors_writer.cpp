#include "encoder/llm/safetensors_writer.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "common/json_writer.h"
#include "encoder/llm/durable_file.h"

namespace bahed::encoder {
namespace {

// Data order: larger elements first keeps every tensor aligned to its element
// size, given the data section starts 8-byte aligned; ties by name.
std::vector<const SafetensorsEntry*> data_order(const std::vector<SafetensorsEntry>& entries) {
  std::vector<const SafetensorsEntry*> order;
  order.reserve(entries.size());
  for (const SafetensorsEntry& e : entries) order.push_back(&e);
  std::sort(order.begin(), order.end(), [](const SafetensorsEntry* a, const SafetensorsEntry* b) {
    const size_t sa = safetensors_dtype_size(a->dtype), sb = safetensors_dtype_size(b->dtype);
    return sa != sb ? sa > sb : a->name < b->name;
  });
  return order;
}

Status check_entry(const SafetensorsEntry& e) {
  if (e.name.empty() || e.name == "__metadata__") {
    return Status::invalid_argument("safetensors: invalid tensor name '" + e.name + "'");
  }
  uint64_t n_bytes = safetensors_dtype_size(e.dtype);
  for (int64_t dim : e.shape) {
    if (dim < 0 || __builtin_mul_overflow(n_bytes, static_cast<uint64_t>(dim), &n_bytes)) {
      return Status::invalid_argument("safetensors: tensor '" + e.name + "' has an invalid shape");
    }
  }
  if (n_bytes != e.data.size()) {
    return Status::invalid_argument("safetensors: tensor '" + e.name + "' has " + std::to_string(e.data.size()) +
                                    " bytes but dtype and shape need " + std::to_string(n_bytes));
  }
  return Status::ok();
}

}  // namespace

Result<std::string> build_safetensors_header(const std::vector<SafetensorsEntry>& entries,
                                             const std::map<std::string, std::string>& metadata) {
  std::set<std::string_view> names;
  for (const SafetensorsEntry& e : entries) {
    BAHED_RETURN_IF_ERROR(check_entry(e));
    if (!names.insert(e.name).second) {
      return Status::invalid_argument("safetensors: duplicate tensor name '" + e.name + "'");
    }
  }
  std::map<std::string_view, std::pair<uint64_t, uint64_t>> offsets;
  uint64_t offset = 0;
  for (const SafetensorsEntry* e : data_order(entries)) {
    offsets[e->name] = {offset, offset + e->data.size()};
    offset += e->data.size();
  }
  std::map<std::string_view, const SafetensorsEntry*> by_name;
  for (const SafetensorsEntry& e : entries) by_name[e.name] = &e;

  JsonWriter w;
  w.begin_object();
  if (!metadata.empty()) {
    w.key("__metadata__").begin_object();
    for (const auto& [k, v] : metadata) w.key(k).value(v);
    w.end_object();
  }
  for (const auto& [name, e] : by_name) {
    w.key(name).begin_object();
    w.key("dtype").value(safetensors_dtype_name(e->dtype));
    w.key("shape").begin_array();
    for (int64_t dim : e->shape) w.value(dim);
    w.end_array();
    const auto [begin, end] = offsets[name];
    w.key("data_offsets").begin_array().value(begin).value(end).end_array();
    w.end_object();
  }
  w.end_object();
  std::string json = w.take();
  json.append((8 - json.size() % 8) % 8, ' ');
  const uint64_t n = json.size();
  std::string out(8, '\0');
  std::memcpy(out.data(), &n, 8);  // little-endian host (see safetensors_format.h)
  out += json;
  return out;
}

Status write_safetensors(const std::filesystem::path& path, const std::vector<SafetensorsEntry>& entries,
                         const std::map<std::string, std::string>& metadata) {
  BAHED_ASSIGN_OR_RETURN(std::string header, build_safetensors_header(entries, metadata));
  BAHED_ASSIGN_OR_RETURN(DurableFileWriter writer, DurableFileWriter::create(path));
  BAHED_RETURN_IF_ERROR(writer.append(header));
  for (const SafetensorsEntry* e : data_order(entries)) {
    BAHED_RETURN_IF_ERROR(writer.append(e->data.data(), e->data.size()));
  }
  return writer.close();
}

}  // namespace bahed::encoder
