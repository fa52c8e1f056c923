#include "daemon/ctl/model/pretrain_state.h"

#include <ATen/CPUGeneratorImpl.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <system_error>
#include <vector>

#include "common/atomic_file.h"
#include "common/json_writer.h"

namespace bahed::ctl {
namespace {

namespace fs = std::filesystem;

constexpr double kEmaDecay = 0.98;
constexpr std::string_view kCheckpointPrefix = "ckpt-";

std::string checkpoint_name(int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "ckpt-%010lld", static_cast<long long>(step));
  return buf;
}

// Steps of the complete checkpoints (no ".tmp"), ascending.
std::vector<std::pair<int64_t, fs::path>> list_checkpoints(const fs::path& dir) {
  std::vector<std::pair<int64_t, fs::path>> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(kCheckpointPrefix, 0) != 0 || name.ends_with(".tmp")) continue;
    const std::string digits = name.substr(kCheckpointPrefix.size());
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    out.emplace_back(std::stoll(digits), it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string progress_json(const TrainProgress& p) {
  JsonWriter w;
  w.begin_object();
  w.key("step").value(p.step).key("tokens_seen").value(p.tokens_seen);
  w.key("train_seconds").value(p.train_seconds).key("ema_loss").value(p.ema_loss).key("n_losses").value(p.n_losses);
  w.end_object();
  return w.take() + "\n";
}

Result<TrainProgress> parse_progress(const fs::path& path) {
  BAHED_ASSIGN_OR_RETURN(const std::string text, read_whole_file(path));
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  TrainProgress p;
  if (parser.parse(text).get(root) != simdjson::SUCCESS || root["step"].get_int64().get(p.step) ||
      root["tokens_seen"].get_int64().get(p.tokens_seen) || root["train_seconds"].get_double().get(p.train_seconds) ||
      root["ema_loss"].get_double().get(p.ema_loss) || root["n_losses"].get_int64().get(p.n_losses)) {
    return Status::corruption(path.string() + " is not a valid progress file");
  }
  return p;
}

}  // namespace

double TrainProgress::smoothed_loss() const {
  if (n_losses == 0) return std::nan("");
  return ema_loss / (1.0 - std::pow(kEmaDecay, static_cast<double>(n_losses)));
}

void TrainProgress::add_loss(double loss) {
  ema_loss = kEmaDecay * ema_loss + (1.0 - kEmaDecay) * loss;
  ++n_losses;
}

Status PretrainState::create() const {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return Status::io_error("creating " + dir_.string() + ": " + ec.message());
  return Status::ok();
}

Result<StateIdentity> PretrainState::read_identity() const {
  BAHED_ASSIGN_OR_RETURN(const std::string text, read_whole_file(dir_ / "state.json"));
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view fingerprint, corpus_hash;
  if (parser.parse(text).get(root) != simdjson::SUCCESS || root["fingerprint"].get_string().get(fingerprint) ||
      root["corpus_hash"].get_string().get(corpus_hash)) {
    return Status::corruption((dir_ / "state.json").string() + " is not a valid state file");
  }
  return StateIdentity{std::string(fingerprint), std::string(corpus_hash)};
}

Status PretrainState::write_identity(const StateIdentity& identity) const {
  JsonWriter w;
  w.begin_object().key("fingerprint").value(identity.fingerprint).key("corpus_hash").value(identity.corpus_hash);
  w.end_object();
  return write_file_atomically(dir_ / "state.json", w.str() + "\n");
}

Status PretrainState::save_checkpoint(const TrainProgress& progress, const encoder::LlamaModel& model,
                                      const torch::optim::Optimizer& optimizer) const {
  const fs::path final_dir = dir_ / checkpoint_name(progress.step);
  fs::path tmp = final_dir;
  tmp += ".tmp";
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  if (ec) return Status::io_error("creating " + tmp.string() + ": " + ec.message());
  try {
    torch::save(model, (tmp / "model.pt").string());
    torch::save(optimizer, (tmp / "optimizer.pt").string());
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    torch::Tensor rng;
    {
      std::lock_guard<std::mutex> lock(gen.mutex());
      rng = gen.get_state();
    }
    torch::save(rng, (tmp / "rng.pt").string());
  } catch (const c10::Error& e) {
    return Status::io_error("saving a checkpoint to " + tmp.string() + ": " + e.what_without_backtrace());
  }
  for (const char* name : {"model.pt", "optimizer.pt", "rng.pt"}) BAHED_RETURN_IF_ERROR(sync_path(tmp / name));
  BAHED_RETURN_IF_ERROR(write_file_atomically(tmp / "progress.json", progress_json(progress)));
  BAHED_RETURN_IF_ERROR(sync_path(tmp));
  fs::remove_all(final_dir, ec);  // a checkpoint of the same step from an earlier, interrupted attempt
  fs::rename(tmp, final_dir, ec);
  if (ec) return Status::io_error("renaming " + tmp.string() + ": " + ec.message());
  BAHED_RETURN_IF_ERROR(sync_path(dir_));
  for (const auto& [step, path] : list_checkpoints(dir_)) {
    if (step < progress.step) fs::remove_all(path, ec);  // best effort: a leftover is only disk space
  }
  return Status::ok();
}

Result<std::optional<TrainProgress>> PretrainState::load_latest(encoder::LlamaModel& model,
                                                                torch::optim::Optimizer& optimizer) const {
  const auto checkpoints = list_checkpoints(dir_);
  if (checkpoints.empty()) return std::optional<TrainProgress>();
  const fs::path& path = checkpoints.back().second;
  BAHED_ASSIGN_OR_RETURN(TrainProgress progress, parse_progress(path / "progress.json"));
  if (progress.step != checkpoints.back().first)
    return Status::corruption(path.string() + " holds step " + std::to_string(progress.step));
  try {
    torch::load(model, (path / "model.pt").string());
    torch::load(optimizer, (path / "optimizer.pt").string());
    torch::Tensor rng;
    torch::load(rng, (path / "rng.pt").string());
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(rng);
  } catch (const c10::Error& e) {
    return Status::corruption("loading the checkpoint " + path.string() + ": " + e.what_without_backtrace());
  }
  return std::optional<TrainProgress>(progress);
}

}  // namespace bahed::ctl
