// bahectl store stats|get|history: inspect a behavior store, read-only.
#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/json_writer.h"
#include "daemon/ctl/command_line.h"
#include "daemon/ctl/ctl_command.h"
#include "daemon/ctl/store_inspection.h"

namespace po = boost::program_options;

namespace bahed::ctl {

namespace {

using encoder::BehaviorKey;
using encoder::Hash128;

// BehaviorStore::open_read_only's contract, for every --help.
constexpr std::string_view kReadOnlyNote =
    "Opens the store read-only (RocksDB's read-only mode assumes no writer): use it on a store no bahed\n"
    "has open, such as a stopped instance's or a copy.";

// Flags every store command takes.
struct StoreFlags {
  std::string path;
  std::string encoder_version;  // empty: the version of the last read-write open
};

po::options_description store_flags(const std::string& description, StoreFlags& f) {
  po::options_description flags(description + "\n" + std::string(kReadOnlyNote) + "\n\noptions");
  flags.add_options()("help,h", "print this help")("path", po::value(&f.path)->required(),
                                                   "directory of the behavior store (store.path)")(
      "encoder-version", po::value(&f.encoder_version),
      "open for this encoder version (decimal or 0x-hex); default: the version of the store's last "
      "read-write open");
  return flags;
}

// Opens per `f`, or prints why not and returns nullopt. A `version` given
// here (a full --key names its own) wins over --encoder-version.
std::optional<InspectedStore> open_or_report(const char* argv0, const StoreFlags& f, std::optional<uint64_t> version,
                                             const Clock& clock) {
  if (!version && !f.encoder_version.empty()) {
    version = parse_version(f.encoder_version);
    if (!version) {
      std::cerr << argv0 << ": --encoder-version takes a decimal or 0x-hex number, got '" << f.encoder_version << "'\n";
      return std::nullopt;
    }
  }
  Result<InspectedStore> opened = open_for_inspection(f.path, version, clock);
  if (!opened.is_ok()) {
    std::cerr << argv0 << ": " << opened.status().to_string() << "\n";
    return std::nullopt;
  }
  return std::move(opened).value();
}

// Closes after a successful command: its failure is the exit code.
int close_and_exit(const char* argv0, InspectedStore& s) {
  const Status closed = s.store->close();
  if (closed.is_ok()) return 0;
  std::cerr << argv0 << ": " << closed.to_string() << "\n";
  return 1;
}

bool is_last_opened(const encoder::RecordedEncoders& r, const encoder::EncoderVersionInfo& v) {
  return r.last_opened && r.last_opened->version == v.version;
}

void print_stats_table(std::ostream& out, const std::string& path, const InspectedStore& s,
                       const encoder::StoreStats& stats, const std::map<int32_t, int64_t>& offsets) {
  out << "behavior store " << path << " (read-only)\n\n";
  out << pad_column("family", 12) << pad_column("keys (est.)", 16, true) << pad_column("sst bytes", 16, true) << "\n";
  const auto row = [&out](const char* name, const std::string& keys, uint64_t bytes) {
    out << pad_column(name, 12) << pad_column(keys, 16, true) << pad_column(std::to_string(bytes), 16, true) << "\n";
  };
  row("vectors", std::to_string(stats.n_vectors_estimate), stats.vectors_size_on_disk_bytes);
  row("histories", std::to_string(stats.n_histories_estimate), stats.histories_size_on_disk_bytes);
  row("texts", std::to_string(stats.n_texts_estimate), stats.texts_size_on_disk_bytes);
  row("all", "", stats.size_on_disk_bytes);
  out << "memtables: " << stats.memtable_bytes << " bytes (not yet in SST files)\n\nencoder versions:\n";
  if (s.recorded.all.empty()) out << "  (none)\n";
  for (const encoder::EncoderVersionInfo& v : s.recorded.all) {
    out << "  " << version_hex(v.version) << "  dimension " << v.dimension
        << (is_last_opened(s.recorded, v) ? "  (last opened)" : "") << "\n";
  }
  out << "\napplied offsets (next offset to apply):\n";
  if (offsets.empty()) out << "  (none)\n";
  for (const auto& [partition, next] : offsets) out << "  partition " << partition << ": " << next << "\n";
}

std::string stats_json(const std::string& path, const InspectedStore& s, const encoder::StoreStats& stats,
                       const std::map<int32_t, int64_t>& offsets) {
  JsonWriter w;
  w.begin_object().key("path").value(path).key("families").begin_object();
  const auto family = [&w](std::string_view name, uint64_t keys, uint64_t bytes) {
    w.key(name).begin_object().key("keys_estimate").value(keys).key("sst_bytes").value(bytes).end_object();
  };
  family("vectors", stats.n_vectors_estimate, stats.vectors_size_on_disk_bytes);
  family("histories", stats.n_histories_estimate, stats.histories_size_on_disk_bytes);
  family("texts", stats.n_texts_estimate, stats.texts_size_on_disk_bytes);
  w.end_object();
  w.key("size_on_disk_bytes").value(stats.size_on_disk_bytes).key("memtable_bytes").value(stats.memtable_bytes);
  w.key("encoder_versions").begin_array();
  for (const encoder::EncoderVersionInfo& v : s.recorded.all) {
    w.begin_object().key("version").value(version_hex(v.version)).key("dimension").value(uint64_t{v.dimension});
    w.key("last_opened").value(is_last_opened(s.recorded, v)).end_object();
  }
  w.end_array().key("applied_offsets").begin_array();
  for (const auto& [partition, next] : offsets) {
    w.begin_object().key("partition").value(int64_t{partition}).key("next_offset").value(next).end_object();
  }
  w.end_array().end_object();
  return w.take();
}

// `store get`'s own flags.
struct GetFlags {
  std::string key_hex, feature, text;
  size_t n_values = 8;
  bool by_text = false;  // --feature/--text rather than --key
};

// A 32-digit behavior hash, or a 48-digit vector key (which also names an
// encoder version); false for anything else.
bool parse_key(const std::string& hex, std::optional<Hash128>& behavior, std::optional<uint64_t>& version) {
  if (const std::optional<std::string> hash = parse_hex_bytes(hex, Hash128::kSizeBytes)) {
    behavior = Hash128::from_bytes(hash->data());
    return true;
  }
  if (const std::optional<std::string> full = parse_hex_bytes(hex, BehaviorKey::kSizeBytes)) {
    const BehaviorKey key = *BehaviorKey::decode(*full);  // the length is right
    behavior = key.behavior;
    version = key.encoder_version;
    return true;
  }
  return false;
}

// The vector of `behavior` under the store's version, and its text.
Status print_behavior(std::ostream& out, encoder::BehaviorStore& store, const Hash128& behavior, size_t n_values) {
  const encoder::EncoderSpec& spec = store.encoder();
  const BehaviorKey key{spec.version, behavior};
  BAHED_ASSIGN_OR_RETURN(const std::vector<encoder::VectorLookup> vectors, store.multi_get_vectors({&key, 1}));
  BAHED_ASSIGN_OR_RETURN(const std::vector<std::optional<encoder::BehaviorText>> texts,
                         store.multi_get_texts({&behavior, 1}));
  const encoder::VectorLookup& v = vectors[0];
  out << "behavior   " << behavior.hex() << "\n";
  out << "key        " << key.hex() << "\n";
  out << "encoder    " << version_hex(spec.version) << " (dimension " << spec.dimension << ")\n";
  out << "vector     " << (v.found ? "found" : "not found") << "\n";
  if (v.found) {
    double sum_squares = 0;
    for (const float x : v.values) sum_squares += static_cast<double>(x) * x;
    const size_t shown = std::min(n_values, v.values.size());
    out << "dtype      " << encoder::vector_dtype_name(v.dtype) << "\n";
    out << "dimension  " << v.values.size() << "\n";
    out << "values     [";
    for (size_t i = 0; i < shown; ++i) out << (i ? ", " : "") << v.values[i];
    out << (shown < v.values.size() ? ", ...]" : "]") << "\n";
    out << "norm       " << std::sqrt(sum_squares) << "\n";
  }
  out << "text       " << describe_text(texts[0]) << "\n";
  return Status::ok();
}

}  // namespace

int run_store_stats(int argc, char** argv) {
  StoreFlags f;
  bool json = false;
  po::options_description flags = store_flags(
      "bahectl store stats: keys (RocksDB's estimates) and SST bytes per column family, the encoder\n"
      "versions recorded in meta, and the applied offset of every partition.",
      f);
  flags.add_options()("json", po::bool_switch(&json), "print one JSON object instead of the table");
  po::variables_map vm;
  if (auto exit_code = parse_command_line(argc, argv, flags, &vm)) return *exit_code;
  SystemClock clock;
  std::optional<InspectedStore> s = open_or_report(argv[0], f, std::nullopt, clock);
  if (!s) return 1;
  const encoder::StoreStats stats = s->store->stats();
  Result<std::map<int32_t, int64_t>> offsets = s->store->applied_offsets();
  if (!offsets.is_ok()) {
    std::cerr << argv[0] << ": " << offsets.status().to_string() << "\n";
    return 1;
  }
  if (json) {
    std::cout << stats_json(f.path, *s, stats, *offsets) << "\n";
  } else {
    print_stats_table(std::cout, f.path, *s, stats, *offsets);
  }
  return close_and_exit(argv[0], *s);
}

int run_store_get(int argc, char** argv) {
  StoreFlags f;
  GetFlags g;
  po::options_description flags = store_flags(
      "bahectl store get: one behavior's vector (found or not, dtype, dimension, first values, L2 norm)\n"
      "and its text, if the texts family has it. Name the behavior by --key, or by --feature and --text\n"
      "(normalized and hashed as the encoder does).",
      f);
  flags.add_options()("key", po::value(&g.key_hex),
                      "behavior hash (32 hex digits, as `store history` prints) or full vector key (48 hex "
                      "digits: encoder version, then hash)")("feature", po::value(&g.feature),
                                                             "the behavior's feature (with --text)")(
      "text", po::value(&g.text), "the behavior's text, raw or normalized (with --feature)")(
      "values", po::value(&g.n_values)->default_value(g.n_values), "how many leading values to print");
  po::variables_map vm;
  if (auto exit_code = parse_command_line(argc, argv, flags, &vm)) return *exit_code;
  g.by_text = vm.count("feature") > 0 || vm.count("text") > 0;
  if ((vm.count("key") > 0) == g.by_text || (g.by_text && !(vm.count("feature") && vm.count("text")))) {
    std::cerr << argv[0] << ": give either --key, or --feature and --text\n";
    return 2;
  }
  std::optional<Hash128> behavior;
  std::optional<uint64_t> key_version;
  if (!g.by_text) {
    if (!parse_key(g.key_hex, behavior, key_version)) {
      std::cerr << argv[0] << ": --key takes 32 or 48 hex digits, got '" << g.key_hex << "'\n";
      return 2;
    }
    if (key_version && !f.encoder_version.empty() && parse_version(f.encoder_version) != key_version) {
      std::cerr << argv[0] << ": --key names encoder version " << version_hex(*key_version)
                << ", which disagrees with --encoder-version\n";
      return 2;
    }
  }
  SystemClock clock;
  std::optional<InspectedStore> s = open_or_report(argv[0], f, key_version, clock);
  if (!s) return 1;
  if (g.by_text) {
    const std::string normalized = encoder::normalize_behavior_text(g.text);
    behavior = encoder::hash_behavior(g.feature, normalized);
    std::string quoted;
    append_json_string(quoted, normalized);
    std::cout << "normalized " << g.feature << ": " << quoted << "\n";
  }
  const Status printed = print_behavior(std::cout, *s->store, *behavior, g.n_values);
  if (!printed.is_ok()) {
    std::cerr << argv[0] << ": " << printed.to_string() << "\n";
    return 1;
  }
  return close_and_exit(argv[0], *s);
}

int run_store_history(int argc, char** argv) {
  StoreFlags f;
  std::string user;
  size_t max_n = 0;
  po::options_description flags = store_flags(
      "bahectl store history: a user's history, oldest first: event time (ISO-8601 UTC), Kafka\n"
      "partition and offset, action (clicked/skipped for a past impression, none otherwise), behavior hash\n"
      "(for `store get --key`), and the behavior's text if known.",
      f);
  flags.add_options()("user", po::value(&user)->required(), "the user id, as in the events")(
      "max", po::value(&max_n)->default_value(0), "print only the newest N entries; 0 = all");
  po::variables_map vm;
  if (auto exit_code = parse_command_line(argc, argv, flags, &vm)) return *exit_code;
  SystemClock clock;
  std::optional<InspectedStore> s = open_or_report(argv[0], f, std::nullopt, clock);
  if (!s) return 1;
  Result<std::vector<encoder::HistoryEntry>> entries =
      s->store->read_history(user, max_n == 0 ? encoder::kMaxHistoryLength : max_n);
  if (!entries.is_ok()) {
    std::cerr << argv[0] << ": " << entries.status().to_string() << "\n";
    return 1;
  }
  std::vector<Hash128> behaviors;
  for (const encoder::HistoryEntry& e : *entries) behaviors.push_back(e.behavior);
  Result<std::vector<std::optional<encoder::BehaviorText>>> texts = s->store->multi_get_texts(behaviors);
  if (!texts.is_ok()) {
    std::cerr << argv[0] << ": " << texts.status().to_string() << "\n";
    return 1;
  }
  std::cout << "user " << user << " (history key " << encoder::hash_user_id(user).hex() << "): " << entries->size()
            << (entries->size() == 1 ? " entry" : " entries") << ", oldest first\n";
  if (entries->empty()) return close_and_exit(argv[0], *s);
  std::cout << pad_column("time", 26) << pad_column("partition", 11) << pad_column("offset", 14)
            << pad_column("action", 9) << pad_column("behavior", 34) << "text\n";
  for (size_t i = 0; i < entries->size(); ++i) {
    const encoder::HistoryEntry& e = (*entries)[i];
    std::cout << pad_column(iso8601_utc(e.event_time_ms), 26) << pad_column(std::to_string(e.partition), 11)
              << pad_column(std::to_string(e.offset), 14)
              << pad_column(std::string(behavior_action_name(e.action)), 9) << pad_column(e.behavior.hex(), 34)
              << describe_text((*texts)[i]) << "\n";
  }
  return close_and_exit(argv[0], *s);
}

}  // namespace bahed::ctl
