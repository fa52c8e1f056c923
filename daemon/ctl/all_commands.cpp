#include "daemon/ctl/ctl_command.h"

namespace bahed::ctl {

std::span<const CtlCommand> all_commands() {
  static constexpr CtlCommand kCommands[] = {
      {"data movielens", "extract MovieLens (Debian r-cran-dslabs) into a contract-v1 event log", run_data_movielens},
      {"data synth", "generate a seeded synthetic log shaped like MovieLens-1M (scalable)", run_data_synth},
      {"broker", "run librdkafka's mock Kafka cluster on loopback until stopped", run_broker},
      {"replay", "produce an event log into a Kafka topic (key = user), with progress", run_replay},
      {"bench decode", "benchmark: event decode+validate throughput, single thread", run_bench_decode},
      {"pretrain", "train the demo base model (SentencePiece + small Llama) on Austen, Brown and MovieLens text", run_pretrain},
      {"bench model", "benchmark: shallow-encode throughput and deep step, GFLOP/s vs the matmul peak", run_bench_model},
      {"bench consume", "benchmark: end-to-end consume throughput from the embedded broker", run_bench_consume},
  };
  return kCommands;
}

}  // namespace bahed::ctl
