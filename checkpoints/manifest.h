#pragma once
// manifest.json: what a version holds and where it came from (design.md
// "Checkpoints"). Written once by the publisher, read strictly by everyone
// else: unknown or duplicate keys, missing keys, wrong types and out-of-range
// values are Corruption, never defaults. Reading allocates at most a small
// multiple of the manifest's size, which is capped at kMaxManifestBytes.
//
// Layout (one JSON object, keys in this order when written):
//   format_version          1
//   version, parent         version numbers; parent is null for the first
//   created_at              "2023-11-14T22:13:20.123Z" (UTC, milliseconds)
//   step, targets_trained   optimizer steps and targets trained, cumulative
//   offsets                 {"<partition>": next offset to consume, ...}
//   event_time_watermark_ms event time up to which history is complete
//   base_model_fingerprint, encoder_fingerprint   opaque strings
//   model_config            a JSON object, opaque here
//   metrics                 {"<name>": number or null (NaN)}
//   audit                   {"<partition>": {"targets": n, "checksum":
//                           "<16 hex digits>"}}: what the lineage trained
//                           (common/target_audit.h); format 2 on
//   files                   [{"name", "size", "sha256"}, ...] every file
//                           of the version except manifest.json itself
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/target_audit.h"

namespace bahed::checkpoints {

// Written: 2 (adds "audit"). Read: 1 and 2; a format-1 manifest has an
// empty audit.
inline constexpr int64_t kManifestFormatVersion = 2;
inline constexpr size_t kMaxManifestBytes = size_t{16} << 20;
inline constexpr size_t kMaxFingerprintBytes = 1024;
inline constexpr size_t kMaxMetricNameBytes = 256;

// What the trainer knows about the state it publishes; the publisher adds
// version, parent, created_at and the file list.
struct ManifestFields {
  int64_t step = 0;
  int64_t targets_trained = 0;
  // Partition -> next offset to consume (the committed-offset convention),
  // so a restart seeks each partition to exactly this offset.
  std::map<int32_t, int64_t> offsets;
  int64_t event_time_watermark_ms = 0;
  std::string base_model_fingerprint;
  std::string encoder_fingerprint;
  // A serialized JSON object. The publisher stores it minified, so what is
  // read back equals the minified input.
  std::string model_config = "{}";
  // Progressive validation and other figures: "auc", "logloss", ...
  std::map<std::string, double> metrics;
  // Targets trained by this version's whole lineage, per partition.
  TargetAudit audit;

  bool operator==(const ManifestFields&) const;
};

struct ManifestFile {
  std::string name;
  uint64_t size_bytes = 0;
  // Lowercase hex SHA-256.
  std::string sha256;

  bool operator==(const ManifestFile&) const = default;
};

struct Manifest {
  int64_t version = 0;
  std::optional<int64_t> parent;
  int64_t created_at_ms = 0;
  ManifestFields fields;
  // In publication order; names unique.
  std::vector<ManifestFile> files;

  bool operator==(const Manifest&) const = default;
};

// Compact JSON plus a trailing newline. The manifest must be valid (as
// parse_manifest would accept it); model_config is inserted as is.
std::string serialize_manifest(const Manifest& manifest);

// Parses and checks a manifest; errors are Corruption naming the key.
Result<Manifest> parse_manifest(std::string_view json);

// Reads and parses `<version_dir>/manifest.json`; errors name the file.
Result<Manifest> read_manifest(const std::filesystem::path& version_dir);

// `json` minified if it is one JSON object of at most kMaxManifestBytes,
// else InvalidArgument.
Result<std::string> minify_json_object(std::string_view json);

// `fields` with model_config minified, if parse_manifest would accept them
// back: counts and offsets >= 0, partitions >= 0, fingerprints and metric
// names within their limits, model_config a JSON object. Else
// InvalidArgument naming the field.
Result<ManifestFields> checked_manifest_fields(ManifestFields fields);

}  // namespace bahed::checkpoints
