#!/usr/bin/env bash
# The main job, from a fresh machine: sets up, extracts MovieLens, pretrains
# the demo base model once (data/base-model, about 8 minutes here; kept for
# later runs), starts the daemon on its embedded Kafka broker and replays
# the whole log into it, with progress from both. The daemon encodes each
# behavior once into its store (data/demo/store), stops by itself once the
# log is consumed and prints its summary.
# Usage: ops/run_demo.sh [extra bahed flags, e.g. --set kafka.embedded_partitions=8]
set -euo pipefail
cd "$(dirname "$0")/.."

bash ops/setup.sh
bash ops/prepare_data.sh

[ -s data/base-model/config.json ] || build/daemon/bahectl pretrain --out data/base-model

run=data/demo
# The embedded broker's log lives in the daemon's memory and is new every
# run, so the run's store, versions and training state start new as well
# (against a real cluster they would be kept: a restart continues from them).
rm -rf "$run/store" "$run/publish" "$run/state" "$run/broker.address"
mkdir -p "$run"
echo "demo: starting bahed on the embedded broker (log: $run/bahed.log)" >&2
build/daemon/bahed --config ops/demo.yaml --set kafka.embedded_address_file="$run/broker.address" "$@" \
  2>&1 | tee "$run/bahed.log" &
bahed_pid=$!
trap 'kill $bahed_pid 2>/dev/null || true' INT TERM

# --retime stamps each event with the time it is produced, as a live stream
# would be, so the daemon's freshness (now minus the newest event time in a
# published version) is its real end-to-end delay.
build/daemon/bahectl replay --events data/movielens/events.jsonl --bootstrap-file "$run/broker.address" --retime
wait $bahed_pid
echo "demo: done; the daemon's log is in $run/bahed.log" >&2
