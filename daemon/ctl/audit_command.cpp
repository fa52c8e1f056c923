// bahectl audit: did a published version's lineage train every labelled
// event of the topic exactly once, and do the histories hold every behavior
// once? Reads the whole topic as the daemon decodes it, and compares it
// with the version's manifest (offsets, audit) and, when the store is there,
// with every user's stored history.
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "checkpoints/checkpoint_publisher.h"
#include "checkpoints/version_layout.h"
#include "common/clock.h"
#include "common/hex64.h"
#include "common/json_writer.h"
#include "daemon/ctl/command_line.h"
#include "daemon/ctl/ctl_command.h"
#include "daemon/ctl/store_inspection.h"
#include "daemon/ctl/topic_audit.h"
#include "daemon/daemon_config.h"

namespace po = boost::program_options;

namespace bahed::ctl {
namespace {

struct PartitionRow {
  int32_t partition = 0;
  int64_t log_end = 0, manifest_offset = 0;
  PartitionAudit log, trained;
  bool ok() const { return log_end == manifest_offset && log == trained; }
};

struct HistoryCheck {
  int64_t n_users = 0;
  int64_t n_entries = 0;
  int64_t n_bad_users = 0;
  std::vector<std::string> problems;  // the first few
};

// Every user's stored history: strictly increasing positions within a
// partition (no behavior twice) and min(H, accepted events) entries.
// In a data-parallel group each rank's store holds the users of its share
// of the partitions (p % world_size == rank); only those are checked.
Result<HistoryCheck> check_histories(const std::string& store_path, int64_t history_length, const TopicAudit& topic,
                                     const trainer::DistributedOptions& share) {
  SystemClock clock;
  BAHED_ASSIGN_OR_RETURN(InspectedStore inspected, open_for_inspection(store_path, std::nullopt, clock));
  HistoryCheck check;
  for (const auto& [user, n_events] : topic.user_events) {
    if (share.enabled() && topic.user_partition.at(user) % share.world_size != share.rank) continue;
    BAHED_ASSIGN_OR_RETURN(auto history, inspected.store->read_history(user, std::numeric_limits<size_t>::max()));
    check.n_users += 1;
    check.n_entries += static_cast<int64_t>(history.size());
    std::string problem;
    std::set<std::pair<int32_t, int64_t>> seen;
    for (const auto& e : history) {
      if (!seen.emplace(e.partition, e.offset).second) {
        problem = "holds partition " + std::to_string(e.partition) + " offset " + std::to_string(e.offset) + " twice";
        break;
      }
    }
    const int64_t expected = std::min(history_length, n_events);
    if (problem.empty() && static_cast<int64_t>(history.size()) != expected) {
      problem = "holds " + std::to_string(history.size()) + " entries, expected " + std::to_string(expected);
    }
    if (!problem.empty()) {
      check.n_bad_users += 1;
      if (check.problems.size() < 5) check.problems.push_back("user " + user + ": " + problem);
    }
  }
  BAHED_RETURN_IF_ERROR(inspected.store->close());
  return check;
}

void print_table(const checkpoints::VersionInfo& version, const std::vector<PartitionRow>& rows,
                 const TopicAudit& topic, const std::optional<HistoryCheck>& histories, bool exactly_once) {
  std::cout << "version " << version.dir.string() << ": step " << version.manifest.fields.step << ", "
            << version.manifest.fields.targets_trained << " targets trained\n"
            << "topic: " << topic.n_messages << " messages, " << topic.n_rejected << " rejected, "
            << topic.targets.n_targets() << " labelled events\n\n";
  std::cout << pad_column("partition", 10) << pad_column("log_end", 10, true) << pad_column("manifest", 10, true)
            << pad_column("labelled", 10, true) << pad_column("trained", 10, true) << "  checksums\n";
  for (const auto& r : rows) {
    std::cout << pad_column(std::to_string(r.partition), 10) << pad_column(std::to_string(r.log_end), 10, true)
              << pad_column(std::to_string(r.manifest_offset), 10, true)
              << pad_column(std::to_string(r.log.n_targets), 10, true)
              << pad_column(std::to_string(r.trained.n_targets), 10, true) << "  "
              << (r.log.offset_checksum == r.trained.offset_checksum ? "equal" : "DIFFER") << "\n";
  }
  if (histories) {
    std::cout << "\nhistories: " << histories->n_users << " users, " << histories->n_entries << " entries, "
              << histories->n_bad_users << " wrong\n";
    for (const auto& p : histories->problems) std::cout << "  " << p << "\n";
  }
  std::cout << "\n" << (exactly_once ? "exactly once: every labelled event trained once, every behavior stored once"
                                     : "NOT exactly once (see the rows above)")
            << "\n";
}

void print_json(const checkpoints::VersionInfo& version, const std::vector<PartitionRow>& rows,
                const TopicAudit& topic, const std::optional<HistoryCheck>& histories, bool exactly_once) {
  JsonWriter w;
  w.begin_object();
  w.key("version").value(version.version);
  w.key("step").value(version.manifest.fields.step);
  w.key("messages").value(topic.n_messages);
  w.key("rejected").value(topic.n_rejected);
  w.key("partitions").begin_array();
  for (const auto& r : rows) {
    w.begin_object().key("partition").value(static_cast<int64_t>(r.partition));
    w.key("log_end").value(r.log_end).key("manifest_offset").value(r.manifest_offset);
    w.key("labelled").value(r.log.n_targets).key("trained").value(r.trained.n_targets);
    w.key("log_checksum").value(hex64(r.log.offset_checksum)).key("trained_checksum").value(hex64(r.trained.offset_checksum));
    w.key("ok").value(r.ok()).end_object();
  }
  w.end_array();
  if (histories) {
    w.key("histories").begin_object().key("users").value(histories->n_users);
    w.key("entries").value(histories->n_entries).key("wrong").value(histories->n_bad_users).end_object();
  }
  w.key("exactly_once").value(exactly_once);
  w.end_object();
  std::cout << w.take() << "\n";
}

}  // namespace

int run_audit(int argc, char** argv) {
  std::string config_file, bootstrap, bootstrap_file;
  std::vector<std::string> overrides;
  int64_t version_number = 0;
  int wait_s = 60;
  int timeout_ms = 30000;
  po::options_description flags(
      "bahectl audit: checks that a published version's lineage trained every labelled event of the topic\n"
      "exactly once (its manifest's per-partition audit against the topic, read whole and decoded as bahed\n"
      "does) and, when the store is present, that every user's history holds each behavior once (in a\n"
      "data-parallel group, run it with each rank's configuration: its store holds its share's users).\n"
      "Run it on a stopped daemon's folders (the store is opened read-only). Exit 0 when everything matches,\n"
      "1 when not, 2 on bad flags.\n\noptions");
  flags.add_options()("help,h", "print this help")(
      "config,c", po::value(&config_file), "bahed's YAML configuration (topic, decoding, publish dir, store)")(
      "set", po::value(&overrides)->composing(), "override one key as bahed --set does (repeatable)")(
      "bootstrap", po::value(&bootstrap), "bootstrap.servers (default: kafka.bootstrap of the configuration)")(
      "bootstrap-file", po::value(&bootstrap_file), "read bootstrap.servers from this file")(
      "wait", po::value(&wait_s)->default_value(wait_s), "seconds to wait for --bootstrap-file")(
      "version", po::value(&version_number)->default_value(0), "version to audit; 0 = the newest valid one")(
      "timeout-ms", po::value(&timeout_ms)->default_value(timeout_ms), "longest wait for the broker")(
      "json", "print one JSON object instead of the table");
  po::variables_map vm;
  if (auto exit_code = parse_command_line(argc, argv, flags, &vm)) return *exit_code;

  daemon::DaemonConfig config;
  if (auto exit_code = load_daemon_config(config_file, overrides, argv[0], &config)) return *exit_code;
  if (!bootstrap_file.empty()) {
    auto address = read_address_file(bootstrap_file, wait_s);
    if (!address.is_ok()) {
      std::cerr << argv[0] << ": " << address.status().message() << "\n";
      return 2;
    }
    bootstrap = *address;
  }
  if (bootstrap.empty()) bootstrap = config.kafka.bootstrap;
  if (bootstrap == "embedded") {
    std::cerr << argv[0] << ": the daemon's embedded broker lives in its process; give --bootstrap of a broker "
                 "that outlives it (bahectl broker)\n";
    return 2;
  }

  const std::filesystem::path publish_dir = config.checkpoints.publish_dir;
  Result<checkpoints::VersionInfo> version =
      version_number > 0
          ? checkpoints::verify_version(publish_dir / checkpoints::version_dir_name(version_number))
          : checkpoints::newest_valid(publish_dir);
  if (!version.is_ok()) {
    std::cerr << argv[0] << ": " << version.status().to_string() << "\n";
    return 1;
  }
  auto topic = audit_topic(bootstrap, config.stream.properties, config.stream.topic, config.stream.decode, timeout_ms);
  if (!topic.is_ok()) {
    std::cerr << argv[0] << ": " << topic.status().to_string() << "\n";
    return 1;
  }
  std::vector<PartitionRow> rows;
  bool exactly_once = true;
  std::set<int32_t> partitions;
  for (const auto& [p, end] : topic->end_offsets) partitions.insert(p);
  for (const auto& [p, offset] : version->manifest.fields.offsets) partitions.insert(p);
  for (int32_t p : partitions) {
    PartitionRow row;
    row.partition = p;
    const auto& f = version->manifest.fields;
    if (auto it = topic->end_offsets.find(p); it != topic->end_offsets.end()) row.log_end = it->second;
    if (auto it = f.offsets.find(p); it != f.offsets.end()) row.manifest_offset = it->second;
    if (auto it = topic->targets.partitions.find(p); it != topic->targets.partitions.end()) row.log = it->second;
    if (auto it = f.audit.partitions.find(p); it != f.audit.partitions.end()) row.trained = it->second;
    exactly_once = exactly_once && row.ok();
    rows.push_back(row);
  }
  std::optional<HistoryCheck> histories;
  if (std::filesystem::exists(config.store.options.path)) {
    auto checked =
        check_histories(config.store.options.path, config.store.options.history_length, *topic, config.distributed);
    if (!checked.is_ok()) {
      std::cerr << argv[0] << ": " << checked.status().to_string() << "\n";
      return 1;
    }
    histories = *checked;
    exactly_once = exactly_once && histories->n_bad_users == 0;
  }
  if (vm.count("json")) {
    print_json(*version, rows, *topic, histories, exactly_once);
  } else {
    print_table(*version, rows, *topic, histories, exactly_once);
  }
  return exactly_once ? 0 : 1;
}

}  // namespace bahed::ctl
