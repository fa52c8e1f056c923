#!/usr/bin/env bash
# Extracts the real data bahed uses into data/ (git-ignored); never
# committed. Idempotent: what is already there is kept.
#   data/movielens/events.jsonl   MovieLens latest-small from Debian's r-cran-dslabs
#   data/npm/llama-vocab/         llama.cpp tokenizer test vectors (npm node-llama-cpp)
set -euo pipefail
cd "$(dirname "$0")/.."
BAHECTL=${BAHECTL:-build/daemon/bahectl}

[ -s data/movielens/events.jsonl ] || "$BAHECTL" data movielens --data-dir data
if [ -x ops/fetch_llama_vocab.sh ] || [ -f ops/fetch_llama_vocab.sh ]; then
  bash ops/fetch_llama_vocab.sh data
fi
