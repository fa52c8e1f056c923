// bahectl score: click probabilities for candidate items, from a published
// version, for a user whose history is in the daemon's store (or given).
#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>

#include "checkpoints/scorer/ctr_scorer.h"
#include "common/json_writer.h"
#include "daemon/ctl/command_line.h"
#include "daemon/ctl/ctl_command.h"
#include "daemon/ctl/model/scorer_options_from_config.h"
#include "daemon/daemon_config.h"
#include "encoder/llm/compute_threads.h"

namespace po = boost::program_options;

namespace bahed::ctl {

int run_score(int argc, char** argv) {
  std::string config_file, checkpoint, items_file, user;
  std::vector<std::string> overrides;
  int64_t version = 0;
  po::options_description flags(
      "bahectl score: scores candidate items for a user with a published version and prints JSON:\n"
      "{\"version\", \"user\", \"history_length\", \"scores\": [{\"item\", \"p\"}...], \"store_hits\", \"encoded\"}.\n"
      "The user's history comes from the daemon's store (opened read-only, or --follow-store for a running\n"
      "daemon); an unknown user is scored with an empty history. Model, split and store settings come from\n"
      "bahed's configuration, so pass the daemon's --config.\n\noptions");
  flags.add_options()("help,h", "print this help")(
      "config,c", po::value(&config_file), "bahed's YAML configuration (encoder.*, store.*, checkpoints.publish_dir)")(
      "set", po::value(&overrides)->composing(), "override one key as bahed --set does (repeatable)")(
      "checkpoint", po::value(&checkpoint), "publish directory (default: checkpoints.publish_dir)")(
      "version", po::value(&version)->default_value(0), "version to load; 0 = the newest valid")(
      "user", po::value(&user)->required(), "user id whose stored history is used")(
      "items", po::value(&items_file)->required(), "file with one candidate item text per line")(
      "follow-store", "open the store as a secondary instance (the daemon is running)");
  po::variables_map vm;
  if (auto exit_code = parse_command_line(argc, argv, flags, &vm)) return *exit_code;
  daemon::DaemonConfig config;
  if (auto exit_code = load_daemon_config(config_file, overrides, argv[0], &config)) return *exit_code;
  checkpoints::ScoreRequest request;
  {
    std::ifstream in(items_file);
    if (!in) {
      std::cerr << argv[0] << ": cannot read --items " << items_file << "\n";
      return 2;
    }
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) request.candidates.push_back(line);
    }
  }
  encoder::set_compute_threads(static_cast<int>(config.runtime.torch_threads));
  checkpoints::ScorerOptions options = scorer_options_from_config(config, checkpoint, version);
  options.follow_store = vm.count("follow-store") > 0;
  auto scorer = checkpoints::CtrScorer::open(options, make_logger("scorer"));
  if (!scorer.is_ok()) {
    std::cerr << argv[0] << ": " << scorer.status().to_string() << "\n";
    return 1;
  }
  auto history = (*scorer)->user_history(user);
  if (!history.is_ok()) {
    std::cerr << argv[0] << ": " << history.status().to_string() << "\n";
    return 1;
  }
  request.history = std::move(history).value();
  checkpoints::ScoreStats stats;
  auto scores = (*scorer)->score(request, &stats);
  if (!scores.is_ok()) {
    std::cerr << argv[0] << ": " << scores.status().to_string() << "\n";
    return 1;
  }
  JsonWriter w;
  w.begin_object().key("version").value((*scorer)->version().version).key("user").value(user);
  w.key("history_length").value(static_cast<int64_t>(request.history.size()));
  w.key("scores").begin_array();
  for (size_t i = 0; i < scores->size(); ++i) {
    w.begin_object().key("item").value(request.candidates[i]).key("p").value(static_cast<double>((*scores)[i])).end_object();
  }
  w.end_array();
  w.key("store_hits").value(stats.store_hits).key("encoded").value(stats.encoded).end_object();
  std::cout << w.take() << "\n";
  return 0;
}

}  // namespace bahed::ctl
