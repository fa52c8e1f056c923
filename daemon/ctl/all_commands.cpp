#include "daemon/ctl/ctl_command.h"

namespace bahed::ctl {

std::span<const CtlCommand> all_commands() {
  static constexpr CtlCommand kCommands[] = {
      {"data movielens", "extract MovieLens (Debian r-cran-dslabs) into a contract-v1 event log", run_data_movielens},
      {"data synth", "generate a seeded synthetic log shaped like MovieLens-1M (scalable)", run_data_synth},
      {"broker", "run librdkafka's mock Kafka cluster on loopback until stopped", run_broker},
      {"replay", "produce an event log into a Kafka topic (key = user), with progress", run_replay},
      {"audit", "check that a published version trained every labelled event of the topic exactly once", run_audit},
      {"checkpoints list", "published versions, newest first: step, time, targets, AUC, offsets, verified", run_checkpoints_list},
      {"checkpoints show", "one version's manifest.json (verified)", run_checkpoints_show},
      {"checkpoints verify", "verify a version's files (size, sha256) and manifest; exit 0 only if valid", run_checkpoints_verify},
      {"checkpoints diff", "what changed between two versions: per-tensor norms and relative change", run_checkpoints_diff},
      {"score", "score candidate items for a user with a published version (JSON out)", run_score},
      {"bench decode", "benchmark: event decode+validate throughput, single thread", run_bench_decode},
      {"pretrain", "train the demo base model (SentencePiece + small Llama) on Austen, Brown and MovieLens text", run_pretrain},
      {"encode", "encode a log's behaviors into the store ahead of the daemon (--events), or backfill after a model change", run_encode},
      {"model init", "write a random Llama model with a byte-level tokenizer (Hugging Face layout), for tests", run_model_init},
      {"bench model", "benchmark: shallow-encode throughput and deep step, GFLOP/s vs the matmul peak", run_bench_model},
      {"bench encode", "benchmark: encoder stage on real logs: unique ratio, cold/warm rates, lookups, store size", run_bench_encode},
      {"bench train", "benchmark: the four CTR trainers {token, BAHE} x {sliding, DTI}: time, memory, AUC, ratios", run_bench_train},
      {"bench score", "benchmark: scorer library: candidates/s (1 and B users x C), version load time, latency during swaps", run_bench_score},
      {"bench consume", "benchmark: end-to-end consume throughput from the embedded broker", run_bench_consume},
      {"store stats", "behavior store (read-only): keys and sizes per family, encoder versions, offsets", run_store_stats},
      {"store get", "behavior store (read-only): one behavior's vector and text, by key or by text", run_store_get},
      {"store history", "behavior store (read-only): a user's history, oldest first, with texts", run_store_history},
  };
  return kCommands;
}

}  // namespace bahed::ctl
