// bahectl: the operator's tool. Dispatches to one subcommand by name.
#include <cstdio>
#include <cstring>
#include <string>

#include "daemon/ctl/ctl_command.h"

namespace {

void print_help() {
  std::printf(
      "bahectl: the operator's tool for bahed (data, replay, broker, benchmarks).\n\n"
      "usage: bahectl COMMAND [options]     (bahectl COMMAND --help for its options)\n\ncommands:\n");
  for (const auto& c : bahed::ctl::all_commands())
    std::printf("  %-18s %.*s\n", std::string(c.name).c_str(), static_cast<int>(c.summary.size()), c.summary.data());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    print_help();
    return argc < 2 ? 2 : 0;
  }
  // Prefer the two-word match ("data movielens") over a one-word one.
  for (int words = 2; words >= 1; --words) {
    if (argc < 1 + words) continue;
    std::string name = argv[1];
    if (words == 2) name += std::string(" ") + argv[2];
    for (const auto& c : bahed::ctl::all_commands()) {
      if (c.name != name) continue;
      std::string full = "bahectl " + name;
      argv[words] = full.data();
      return c.run(argc - words, argv + words);
    }
  }
  std::fprintf(stderr, "bahectl: unknown command '%s'. Run 'bahectl --help' for the list.\n", argv[1]);
  return 2;
}
