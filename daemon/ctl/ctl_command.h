#pragma once
// bahectl's subcommands. Each is one function taking the arguments after its
// name (argv[0] is the full command name, e.g. "bahectl data movielens"), that
// prints its own --help and returns the process exit code.
#include <span>
#include <string_view>

namespace bahed::ctl {

struct CtlCommand {
  std::string_view name;     // one or two words: "broker", "data movielens"
  std::string_view summary;  // one line for `bahectl --help`
  int (*run)(int argc, char** argv);
};

// Every subcommand, in the order `bahectl --help` lists them.
std::span<const CtlCommand> all_commands();

// The subcommands themselves, one file each.
int run_data_movielens(int argc, char** argv);
int run_data_synth(int argc, char** argv);
int run_broker(int argc, char** argv);
int run_audit(int argc, char** argv);
int run_checkpoints_list(int argc, char** argv);
int run_checkpoints_show(int argc, char** argv);
int run_checkpoints_verify(int argc, char** argv);
int run_checkpoints_diff(int argc, char** argv);
int run_score(int argc, char** argv);
int run_bench_score(int argc, char** argv);
int run_replay(int argc, char** argv);
int run_bench_decode(int argc, char** argv);
int run_bench_consume(int argc, char** argv);
int run_store_stats(int argc, char** argv);  // store_command.cpp
int run_store_get(int argc, char** argv);
int run_store_history(int argc, char** argv);
// In bahed_ctl_model (they run the LLM).
int run_pretrain(int argc, char** argv);
int run_bench_model(int argc, char** argv);
int run_model_init(int argc, char** argv);
int run_encode(int argc, char** argv);
int run_bench_encode(int argc, char** argv);
int run_bench_train(int argc, char** argv);

}  // namespace bahed::ctl
