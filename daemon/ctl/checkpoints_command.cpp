// bahectl checkpoints list|show|verify|diff: a publish directory seen by an
// operator: versions with their step, time, offsets and metrics; one
// manifest; verification of every file; what changed between two versions.
#include <boost/program_options.hpp>
#include <cmath>
#include <cstring>
#include <iostream>
#include <map>
#include <string>

#include "checkpoints/checkpoint_publisher.h"
#include "checkpoints/iso8601.h"
#include "checkpoints/version_layout.h"
#include "common/json_writer.h"
#include "daemon/ctl/command_line.h"
#include "daemon/ctl/ctl_command.h"
#include "daemon/ctl/store_inspection.h"
#include "encoder/llm/safetensors_reader.h"

namespace po = boost::program_options;

namespace bahed::ctl {
namespace {

namespace fs = std::filesystem;

po::options_description publish_dir_flags(const std::string& description, std::string& dir) {
  po::options_description flags(description + "\n\noptions");
  flags.add_options()("help,h", "print this help")(
      "publish-dir", po::value(&dir)->default_value("var/publish"), "the daemon's checkpoints.publish_dir");
  return flags;
}

std::string offsets_text(const std::map<int32_t, int64_t>& offsets) {
  std::string out;
  for (const auto& [p, o] : offsets) out += (out.empty() ? "" : ",") + std::to_string(p) + ":" + std::to_string(o);
  return out.empty() ? "-" : out;
}

std::string metric(const checkpoints::ManifestFields& f, const std::string& name) {
  const auto it = f.metrics.find(name);
  if (it == f.metrics.end() || std::isnan(it->second)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", it->second);
  return buf;
}

int run_list(int argc, char** argv) {
  std::string dir;
  auto flags = publish_dir_flags("bahectl checkpoints list: every version folder, newest first, verified", dir);
  flags.add_options()("json", "one JSON object instead of the table");
  po::variables_map vm;
  if (auto exit_code = parse_command_line(argc, argv, flags, &vm)) return *exit_code;
  auto versions = checkpoints::list_versions(dir);
  if (!versions.is_ok()) {
    std::cerr << argv[0] << ": " << versions.status().to_string() << "\n";
    return 1;
  }
  const auto latest = checkpoints::read_latest(dir);
  JsonWriter w;
  w.begin_object().key("publish_dir").value(dir).key("latest");
  if (latest.is_ok()) w.value(*latest); else w.null();
  w.key("versions").begin_array();
  const bool json = vm.count("json") > 0;
  if (!json) {
    std::cout << pad_column("version", 10) << pad_column("parent", 8) << pad_column("created_at", 26)
              << pad_column("step", 8, true) << pad_column("targets", 11, true) << pad_column("auc", 8, true)
              << pad_column("logloss", 9, true) << "  state     offsets\n";
  }
  int bad = 0;
  for (auto it = versions->rbegin(); it != versions->rend(); ++it) {
    const auto info = checkpoints::verify_version(fs::path(dir) / checkpoints::version_dir_name(*it));
    const bool is_latest = latest.is_ok() && *latest == *it;
    bad += !info.is_ok();
    if (json) {
      w.begin_object().key("version").value(*it).key("latest").value(is_latest).key("valid").value(info.is_ok());
      if (info.is_ok()) {
        const auto& f = info->manifest.fields;
        w.key("step").value(f.step).key("targets_trained").value(f.targets_trained);
        w.key("created_at").value(checkpoints::format_utc_ms(info->manifest.created_at_ms));
      } else {
        w.key("error").value(info.status().to_string());
      }
      w.end_object();
      continue;
    }
    std::cout << pad_column(checkpoints::version_dir_name(*it) + (is_latest ? "*" : ""), 10);
    if (!info.is_ok()) {
      std::cout << "INVALID: " << info.status().message() << "\n";
      continue;
    }
    const auto& m = info->manifest;
    std::cout << pad_column(m.parent ? std::to_string(*m.parent) : "-", 8)
              << pad_column(checkpoints::format_utc_ms(m.created_at_ms), 26) << pad_column(std::to_string(m.fields.step), 8, true)
              << pad_column(std::to_string(m.fields.targets_trained), 11, true)
              << pad_column(metric(m.fields, "progressive_auc"), 8, true)
              << pad_column(metric(m.fields, "progressive_logloss"), 9, true) << "  verified  "
              << offsets_text(m.fields.offsets) << "\n";
  }
  w.end_array().end_object();
  if (json) std::cout << w.take() << "\n";
  else std::cout << "(* = LATEST)\n";
  return bad == 0 ? 0 : 1;
}

int run_show(int argc, char** argv) {
  std::string dir;
  int64_t version = 0;
  auto flags = publish_dir_flags("bahectl checkpoints show: one version's manifest.json (verified first)", dir);
  flags.add_options()("version", po::value(&version)->default_value(0), "version number; 0 = the newest valid");
  po::variables_map vm;
  if (auto exit_code = parse_command_line(argc, argv, flags, &vm)) return *exit_code;
  auto info = version > 0 ? checkpoints::verify_version(fs::path(dir) / checkpoints::version_dir_name(version))
                          : checkpoints::newest_valid(dir);
  if (!info.is_ok()) {
    std::cerr << argv[0] << ": " << info.status().to_string() << "\n";
    return 1;
  }
  std::cout << checkpoints::serialize_manifest(info->manifest);
  return 0;
}

int run_verify(int argc, char** argv) {
  std::string dir;
  int64_t version = 0;
  auto flags = publish_dir_flags(
      "bahectl checkpoints verify: checks every file of a version (size, sha256) and its manifest; exit 0 only\n"
      "if it verifies", dir);
  flags.add_options()("version", po::value(&version)->default_value(0), "version number; 0 = the one LATEST names");
  po::variables_map vm;
  if (auto exit_code = parse_command_line(argc, argv, flags, &vm)) return *exit_code;
  auto info = version > 0 ? checkpoints::verify_version(fs::path(dir) / checkpoints::version_dir_name(version))
                          : checkpoints::latest_verified(dir);
  if (!info.is_ok()) {
    std::cout << "INVALID " << info.status().to_string() << "\n";
    return 1;
  }
  std::cout << "ok " << info->dir.string() << ": " << info->manifest.files.size() << " files verified\n";
  return 0;
}

// Euclidean norms in float64 of float32 tensors read straight from the files.
struct TensorDiff {
  double norm_a = 0, norm_b = 0, norm_delta = 0;
};

std::optional<std::vector<float>> floats(const encoder::TensorView& view) {
  if (view.dtype != encoder::SafetensorsDtype::kF32) return std::nullopt;
  std::vector<float> out(static_cast<size_t>(view.numel()));
  std::memcpy(out.data(), view.data.data(), out.size() * sizeof(float));
  return out;
}

int run_diff(int argc, char** argv) {
  std::string dir;
  int64_t a = 0, b = 0;
  auto flags = publish_dir_flags(
      "bahectl checkpoints diff: per tensor of model.safetensors, the norm in each version and of their\n"
      "difference (relative change), largest change first", dir);
  flags.add_options()("a", po::value(&a)->required(), "older version")("b", po::value(&b)->required(), "newer version")(
      "json", "one JSON object instead of the table");
  po::variables_map vm;
  if (auto exit_code = parse_command_line(argc, argv, flags, &vm)) return *exit_code;
  std::vector<encoder::SafetensorsReader> readers;
  for (int64_t v : {a, b}) {
    auto info = checkpoints::verify_version(fs::path(dir) / checkpoints::version_dir_name(v));
    if (!info.is_ok()) {
      std::cerr << argv[0] << ": " << info.status().to_string() << "\n";
      return 1;
    }
    auto reader = encoder::SafetensorsReader::open_file(info->dir / "model.safetensors");
    if (!reader.is_ok()) {
      std::cerr << argv[0] << ": " << reader.status().to_string() << "\n";
      return 1;
    }
    readers.push_back(std::move(reader).value());
  }
  std::vector<std::pair<std::string, TensorDiff>> rows;
  for (const auto& [name, view_a] : readers[0].tensors()) {
    const encoder::TensorView* view_b = readers[1].find(name);
    auto fa = floats(view_a);
    auto fb = view_b ? floats(*view_b) : std::nullopt;
    if (!fa || !fb || fa->size() != fb->size()) {
      std::cerr << argv[0] << ": tensor " << name << " differs in presence, dtype or shape between the versions\n";
      return 1;
    }
    TensorDiff d;
    for (size_t i = 0; i < fa->size(); ++i) {
      d.norm_a += double((*fa)[i]) * (*fa)[i];
      d.norm_b += double((*fb)[i]) * (*fb)[i];
      const double delta = double((*fb)[i]) - (*fa)[i];
      d.norm_delta += delta * delta;
    }
    d.norm_a = std::sqrt(d.norm_a);
    d.norm_b = std::sqrt(d.norm_b);
    d.norm_delta = std::sqrt(d.norm_delta);
    rows.emplace_back(name, d);
  }
  const auto relative = [](const TensorDiff& d) { return d.norm_a > 0 ? d.norm_delta / d.norm_a : d.norm_delta; };
  std::sort(rows.begin(), rows.end(), [&](const auto& x, const auto& y) { return relative(x.second) > relative(y.second); });
  if (vm.count("json")) {
    JsonWriter w;
    w.begin_object().key("a").value(a).key("b").value(b).key("tensors").begin_array();
    for (const auto& [name, d] : rows) {
      w.begin_object().key("name").value(name).key("norm_a").value(d.norm_a).key("norm_b").value(d.norm_b);
      w.key("norm_delta").value(d.norm_delta).key("relative_change").value(relative(d)).end_object();
    }
    w.end_array().end_object();
    std::cout << w.take() << "\n";
    return 0;
  }
  std::cout << pad_column("tensor", 48) << pad_column("|a|", 12, true) << pad_column("|b|", 12, true)
            << pad_column("|b-a|", 12, true) << pad_column("|b-a|/|a|", 12, true) << "\n";
  for (const auto& [name, d] : rows) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%12.4f%12.4f%12.5f%12.2e", d.norm_a, d.norm_b, d.norm_delta, relative(d));
    std::cout << pad_column(name, 48) << buf << "\n";
  }
  return 0;
}

}  // namespace

int run_checkpoints_list(int argc, char** argv) { return run_list(argc, argv); }
int run_checkpoints_show(int argc, char** argv) { return run_show(argc, argv); }
int run_checkpoints_verify(int argc, char** argv) { return run_verify(argc, argv); }
int run_checkpoints_diff(int argc, char** argv) { return run_diff(argc, argv); }

}  // namespace bahed::ctl
