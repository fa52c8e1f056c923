#include "checkpoints/manifest.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>

#include "checkpoints/file_io.h"
#include "checkpoints/iso8601.h"
#include "checkpoints/version_layout.h"
#include "common/hex64.h"
#include "common/json_writer.h"

namespace bahed::checkpoints {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

Status corrupt(std::string msg) { return Status::corruption("manifest: " + std::move(msg)); }

std::string in_quotes(std::string_view s) {
  std::string out(1, '\'');
  out.append(s).push_back('\'');
  return out;
}

bool is_sha256_hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Canonical non-negative decimal int32 ("0", "17"; not "017", "+1", "-0").
std::optional<int32_t> parse_partition(std::string_view s) {
  if (s.empty() || s.size() > 10 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  int32_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value < 0) return std::nullopt;
  return value;
}

Status read_int(element el, std::string_view key, int64_t min, int64_t& out) {
  if (el.get_int64().get(out) != simdjson::SUCCESS) return corrupt(in_quotes(key) + " is not a 64-bit integer");
  if (out < min) return corrupt(in_quotes(key) + " is " + std::to_string(out) + ", below " + std::to_string(min));
  return Status::ok();
}

Status read_string(element el, std::string_view key, size_t max_bytes, std::string& out) {
  std::string_view s;
  if (el.get_string().get(s) != simdjson::SUCCESS) return corrupt(in_quotes(key) + " is not a string");
  if (s.size() > max_bytes) return corrupt(in_quotes(key) + " is longer than " + std::to_string(max_bytes) + " bytes");
  out.assign(s);
  return Status::ok();
}

Status get_object(element el, std::string_view key, object& out) {
  if (el.get_object().get(out) != simdjson::SUCCESS) return corrupt(in_quotes(key) + " is not an object");
  return Status::ok();
}

Status read_offsets(element el, std::map<int32_t, int64_t>& out) {
  object obj;
  BAHED_RETURN_IF_ERROR(get_object(el, "offsets", obj));
  for (auto [key, value] : obj) {
    const auto partition = parse_partition(key);
    if (!partition) return corrupt("offsets key " + in_quotes(key) + " is not a partition number");
    int64_t offset = 0;
    BAHED_RETURN_IF_ERROR(read_int(value, "offsets." + std::string(key), 0, offset));
    if (!out.emplace(*partition, offset).second) return corrupt("offsets holds partition " + std::string(key) + " twice");
  }
  return Status::ok();
}

Status read_metrics(element el, std::map<std::string, double>& out) {
  object obj;
  BAHED_RETURN_IF_ERROR(get_object(el, "metrics", obj));
  for (auto [key, value] : obj) {
    if (key.empty() || key.size() > kMaxMetricNameBytes) return corrupt("metrics has a name of " + std::to_string(key.size()) + " bytes");
    double v = std::nan("");
    if (!value.is_null() && value.get_double().get(v) != simdjson::SUCCESS) {
      return corrupt("metrics." + std::string(key) + " is not a number or null");
    }
    if (!out.emplace(std::string(key), v).second) return corrupt("metrics holds " + in_quotes(key) + " twice");
  }
  return Status::ok();
}

bool parse_hex64(std::string_view s, uint64_t& out) {
  if (s.size() != 16) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 16);
  return ec == std::errc() && end == s.data() + s.size() &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Status read_partition_audit(element el, std::string_view partition, PartitionAudit& out) {
  const std::string where = "audit." + std::string(partition);
  object obj;
  BAHED_RETURN_IF_ERROR(get_object(el, where, obj));
  bool has_targets = false, has_checksum = false;
  for (auto [key, value] : obj) {
    if (key == "targets" && !has_targets) {
      has_targets = true;
      BAHED_RETURN_IF_ERROR(read_int(value, where + ".targets", 0, out.n_targets));
    } else if (key == "checksum" && !has_checksum) {
      has_checksum = true;
      std::string hex;
      BAHED_RETURN_IF_ERROR(read_string(value, where + ".checksum", 16, hex));
      if (!parse_hex64(hex, out.offset_checksum)) return corrupt(in_quotes(where + ".checksum") + " is not 16 lowercase hex digits");
    } else {
      return corrupt(in_quotes(where) + " has an unknown or repeated key " + in_quotes(key));
    }
  }
  if (!has_targets || !has_checksum) return corrupt(in_quotes(where) + " needs targets and checksum");
  return Status::ok();
}

Status read_audit(element el, TargetAudit& out) {
  object obj;
  BAHED_RETURN_IF_ERROR(get_object(el, "audit", obj));
  for (auto [key, value] : obj) {
    const auto partition = parse_partition(key);
    if (!partition) return corrupt("audit key " + in_quotes(key) + " is not a partition number");
    PartitionAudit audit;
    BAHED_RETURN_IF_ERROR(read_partition_audit(value, key, audit));
    if (!out.partitions.emplace(*partition, audit).second) return corrupt("audit holds partition " + std::string(key) + " twice");
  }
  return Status::ok();
}

Status read_file_entry(element el, ManifestFile& file) {
  object obj;
  BAHED_RETURN_IF_ERROR(get_object(el, "files[]", obj));
  bool has_name = false, has_size = false, has_sha256 = false;
  for (auto [key, value] : obj) {
    if (key == "name" && !has_name) {
      has_name = true;
      BAHED_RETURN_IF_ERROR(read_string(value, "files[].name", 255, file.name));
      if (!is_valid_checkpoint_file_name(file.name)) return corrupt("file name " + in_quotes(file.name) + " is not allowed");
    } else if (key == "size" && !has_size) {
      has_size = true;
      int64_t size = 0;
      BAHED_RETURN_IF_ERROR(read_int(value, "files[].size", 0, size));
      file.size_bytes = static_cast<uint64_t>(size);
    } else if (key == "sha256" && !has_sha256) {
      has_sha256 = true;
      BAHED_RETURN_IF_ERROR(read_string(value, "files[].sha256", 64, file.sha256));
    } else {
      return corrupt("files[] entry has an unknown or repeated key " + in_quotes(key));
    }
  }
  if (!has_name || !has_size || !has_sha256) return corrupt("files[] entry needs name, size and sha256");
  if (!is_sha256_hex(file.sha256)) return corrupt("sha256 of " + in_quotes(file.name) + " is not 64 lowercase hex digits");
  return Status::ok();
}

Status read_files(element el, std::vector<ManifestFile>& out) {
  simdjson::dom::array arr;
  if (el.get_array().get(arr) != simdjson::SUCCESS) return corrupt("'files' is not an array");
  std::set<std::string, std::less<>> names;
  for (element item : arr) {
    ManifestFile file;
    BAHED_RETURN_IF_ERROR(read_file_entry(item, file));
    if (!names.insert(file.name).second) return corrupt("file " + in_quotes(file.name) + " is listed twice");
    out.push_back(std::move(file));
  }
  if (out.empty()) return corrupt("'files' is empty");
  return Status::ok();
}

Status read_created_at(element el, int64_t& out) {
  std::string text;
  BAHED_RETURN_IF_ERROR(read_string(el, "created_at", 32, text));
  const auto ms = parse_utc_ms(text);
  if (!ms) return corrupt("'created_at' " + in_quotes(text) + " is not YYYY-MM-DDTHH:MM:SS.mmmZ");
  out = *ms;
  return Status::ok();
}

Status read_parent(element el, std::optional<int64_t>& out) {
  if (el.is_null()) return Status::ok();
  int64_t parent = 0;
  BAHED_RETURN_IF_ERROR(read_int(el, "parent", 1, parent));
  out = parent;
  return Status::ok();
}

// One top-level key; `manifest` accumulates.
Status read_key(std::string_view key, element value, Manifest& m, int64_t& format) {
  ManifestFields& f = m.fields;
  if (key == "format_version") {
    BAHED_RETURN_IF_ERROR(read_int(value, key, 0, format));
    if (format != 1 && format != kManifestFormatVersion) return corrupt("unsupported format_version " + std::to_string(format));
    return Status::ok();
  }
  if (key == "version") return read_int(value, key, 1, m.version);
  if (key == "parent") return read_parent(value, m.parent);
  if (key == "created_at") return read_created_at(value, m.created_at_ms);
  if (key == "step") return read_int(value, key, 0, f.step);
  if (key == "targets_trained") return read_int(value, key, 0, f.targets_trained);
  if (key == "offsets") return read_offsets(value, f.offsets);
  if (key == "event_time_watermark_ms") return read_int(value, key, INT64_MIN, f.event_time_watermark_ms);
  if (key == "base_model_fingerprint") return read_string(value, key, kMaxFingerprintBytes, f.base_model_fingerprint);
  if (key == "encoder_fingerprint") return read_string(value, key, kMaxFingerprintBytes, f.encoder_fingerprint);
  if (key == "model_config") {
    object config;
    BAHED_RETURN_IF_ERROR(get_object(value, key, config));
    f.model_config = simdjson::minify(value);
    return Status::ok();
  }
  if (key == "metrics") return read_metrics(value, f.metrics);
  if (key == "files") return read_files(value, m.files);
  if (key == "audit") return read_audit(value, f.audit);
  return corrupt("unknown key " + in_quotes(key));
}

constexpr std::string_view kRequiredKeys[] = {
    "format_version", "version", "parent", "created_at", "step", "targets_trained", "offsets",
    "event_time_watermark_ms", "base_model_fingerprint", "encoder_fingerprint", "model_config", "metrics", "files"};

}  // namespace

bool ManifestFields::operator==(const ManifestFields& other) const {
  const auto same_metric = [](const auto& a, const auto& b) {
    return a.first == b.first && (a.second == b.second || (std::isnan(a.second) && std::isnan(b.second)));
  };
  return step == other.step && targets_trained == other.targets_trained && offsets == other.offsets &&
         event_time_watermark_ms == other.event_time_watermark_ms &&
         base_model_fingerprint == other.base_model_fingerprint && encoder_fingerprint == other.encoder_fingerprint &&
         model_config == other.model_config &&
         std::equal(metrics.begin(), metrics.end(), other.metrics.begin(), other.metrics.end(), same_metric) &&
         audit == other.audit;
}

std::string serialize_manifest(const Manifest& m) {
  const ManifestFields& f = m.fields;
  JsonWriter w;
  w.begin_object();
  w.key("format_version").value(kManifestFormatVersion);
  w.key("version").value(m.version);
  w.key("parent");
  if (m.parent) w.value(*m.parent); else w.null();
  w.key("created_at").value(format_utc_ms(m.created_at_ms));
  w.key("step").value(f.step);
  w.key("targets_trained").value(f.targets_trained);
  w.key("offsets").begin_object();
  for (const auto& [partition, offset] : f.offsets) w.key(std::to_string(partition)).value(offset);
  w.end_object();
  w.key("event_time_watermark_ms").value(f.event_time_watermark_ms);
  w.key("base_model_fingerprint").value(f.base_model_fingerprint);
  w.key("encoder_fingerprint").value(f.encoder_fingerprint);
  w.key("model_config").raw(f.model_config);
  w.key("metrics").begin_object();
  for (const auto& [name, value] : f.metrics) w.key(name).value(value);  // NaN becomes null
  w.end_object();
  w.key("audit").begin_object();
  for (const auto& [partition, audit] : f.audit.partitions) {
    w.key(std::to_string(partition)).begin_object().key("targets").value(audit.n_targets);
    w.key("checksum").value(hex64(audit.offset_checksum)).end_object();
  }
  w.end_object();
  w.key("files").begin_array();
  for (const ManifestFile& file : m.files) {
    w.begin_object().key("name").value(file.name).key("size").value(file.size_bytes);
    w.key("sha256").value(file.sha256).end_object();
  }
  w.end_array();
  w.end_object();
  std::string out = w.take();
  out.push_back('\n');
  return out;
}

Result<Manifest> parse_manifest(std::string_view json) {
  if (json.size() > kMaxManifestBytes) return corrupt("larger than " + std::to_string(kMaxManifestBytes) + " bytes");
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(json);
  element root;
  if (const auto error = parser.parse(padded).get(root); error != simdjson::SUCCESS) {
    return corrupt(std::string("not valid JSON: ") + simdjson::error_message(error));
  }
  object obj;
  BAHED_RETURN_IF_ERROR(get_object(root, "the top level", obj));
  Manifest manifest;
  std::set<std::string_view> seen;
  int64_t format = 0;
  for (auto [key, value] : obj) {
    if (!seen.insert(key).second) return corrupt("key " + in_quotes(key) + " appears twice");
    BAHED_RETURN_IF_ERROR(read_key(key, value, manifest, format));
  }
  for (std::string_view key : kRequiredKeys) {
    if (!seen.contains(key)) return corrupt("missing key " + in_quotes(key));
  }
  // Format 1 predates the audit; format 2 requires it.
  if (format == 1 && seen.contains("audit")) return corrupt("'audit' in a format_version 1 manifest");
  if (format >= 2 && !seen.contains("audit")) return corrupt("missing key 'audit'");
  if (manifest.parent && *manifest.parent >= manifest.version) {
    return corrupt("parent " + std::to_string(*manifest.parent) + " is not older than version " +
                   std::to_string(manifest.version));
  }
  return manifest;
}

Result<Manifest> read_manifest(const std::filesystem::path& version_dir) {
  const auto path = version_dir / kManifestFileName;
  Result<std::string> text = read_small_file(path, kMaxManifestBytes);
  if (!text.is_ok()) return text.status();
  Result<Manifest> manifest = parse_manifest(*text);
  if (!manifest.is_ok()) return manifest.status().with_context(path.string());
  return manifest;
}

Result<std::string> minify_json_object(std::string_view json) {
  if (json.size() > kMaxManifestBytes) return Status::invalid_argument("model_config is too large");
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(json);
  element root;
  if (const auto error = parser.parse(padded).get(root); error != simdjson::SUCCESS) {
    return Status::invalid_argument(std::string("model_config is not valid JSON: ") + simdjson::error_message(error));
  }
  if (!root.is_object()) return Status::invalid_argument("model_config is not a JSON object");
  return simdjson::minify(root);
}

Result<ManifestFields> checked_manifest_fields(ManifestFields fields) {
  const auto bad = [](std::string msg) { return Status::invalid_argument("manifest field " + std::move(msg)); };
  if (fields.step < 0) return bad("step is negative");
  if (fields.targets_trained < 0) return bad("targets_trained is negative");
  for (const auto& [partition, offset] : fields.offsets) {
    if (partition < 0 || offset < 0) {
      return bad("offsets has partition " + std::to_string(partition) + " -> " + std::to_string(offset));
    }
  }
  if (fields.base_model_fingerprint.size() > kMaxFingerprintBytes) return bad("base_model_fingerprint is too long");
  if (fields.encoder_fingerprint.size() > kMaxFingerprintBytes) return bad("encoder_fingerprint is too long");
  for (const auto& [name, value] : fields.metrics) {
    if (name.empty() || name.size() > kMaxMetricNameBytes) return bad("metrics has an empty or too long name");
  }
  for (const auto& [partition, audit] : fields.audit.partitions) {
    if (partition < 0 || audit.n_targets < 0) return bad("audit has partition " + std::to_string(partition));
  }
  BAHED_ASSIGN_OR_RETURN(fields.model_config, minify_json_object(fields.model_config));
  return fields;
}

}  // namespace bahed::checkpoints
