#!/usr/bin/env bash
# End to end, data parallel: two bahed ranks (distributed.world_size 2) on
# one broker that outlives them (bahectl broker), each reading its share of
# the partitions, stepping in lockstep through torch c10d (Gloo on
# loopback). Rank 1 is SIGKILLed mid-run: rank 0 fails on the group's
# timeout, both are restarted and resume from rank 0's last version. At the
# end `bahectl audit` must find every labelled event trained exactly once
# by the last version's lineage, and each rank's store holding its users'
# histories once.
# Usage: distributed_group_test.sh BAHED BAHECTL EVENTS_JSONL [N_EVENTS]
set -euo pipefail
BAHED=${1:?path to bahed}
BAHECTL=${2:?path to bahectl}
EVENTS=${3:?MovieLens event log (bahectl data movielens)}
N_EVENTS=${4:-6000}
work=$(mktemp -d)
broker_pid=
pids=()
trap 'kill -9 ${pids[*]:-} 2>/dev/null || true; kill $broker_pid 2>/dev/null || true; rm -rf "$work"' EXIT

"$BAHECTL" model init --out "$work/model" --hidden 64 --intermediate 128 --layers 4 --heads 4 --kv-heads 2 >/dev/null
"$BAHECTL" broker --topics bahed.events:4 bahed.events.dlq:1 --address-file "$work/addr" >/dev/null 2>&1 &
broker_pid=$!
head -n "$N_EVENTS" "$EVENTS" > "$work/events.jsonl"
"$BAHECTL" replay --events "$work/events.jsonl" --bootstrap-file "$work/addr" >"$work/replay.log" 2>&1
addr=$(cat "$work/addr")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

rank_settings() {
  local rank=$1
  echo --set kafka.bootstrap="$addr" \
    --set encoder.model_dir="$work/model" --set encoder.n_layers_shallow=2 \
    --set store.path="$work/store$rank" --set checkpoints.publish_dir="$work/publish$rank" \
    --set checkpoints.state_dir="$work/state$rank" --set checkpoints.every_steps=4 \
    --set distributed.world_size=2 --set distributed.rank="$rank" \
    --set distributed.rendezvous=127.0.0.1:"$port" --set distributed.timeout_ms=10000 \
    --set runtime.progress_interval_s=1 --set admin.listen=127.0.0.1:0
}

start_ranks() {  # $1: extra settings for both
  pids=()
  for rank in 0 1; do
    # shellcheck disable=SC2046
    "$BAHED" $(rank_settings $rank) $1 >"$work/log.$round.$rank" 2>&1 &
    pids+=($!)
  done
}

# Round 0: both run until rank 0 has published twice, then rank 1 is killed.
round=0
start_ranks ""
for _ in $(seq 1 600); do
  [ "$(grep -c 'trainer checkpoint_published' "$work/log.0.0" || true)" -ge 2 ] && break
  sleep 0.1
done
grep -q 'trainer checkpoint_published' "$work/log.0.0" || { echo "no version in 60 s"; tail -n 20 "$work/log.0.0" "$work/log.0.1"; exit 1; }
kill -KILL "${pids[1]}"
# Rank 0 loses its peer: it must fail (not hang) within the group timeout.
if wait "${pids[0]}"; then echo "rank 0 exited 0 after its peer died"; exit 1; fi
wait "${pids[1]}" 2>/dev/null || true
echo "round 0: rank 1 killed after $(grep -c 'trainer checkpoint_published' "$work/log.0.0") versions; rank 0 failed: $(grep -o 'stage_failed.*' "$work/log.0.0" | head -n 1 | cut -c1-160)"

# Round 1: both restart from rank 0's last version and run until idle.
round=1
start_ranks "--set runtime.stop_when_idle_s=4"
for i in 0 1; do
  if ! wait "${pids[$i]}"; then echo "round 1: rank $i failed"; tail -n 20 "$work/log.1.$i"; exit 1; fi
done
pids=()
grep -h 'group_joined' "$work/log.1.0" "$work/log.1.1"
grep -h 'trainer_drained' "$work/log.1.0" "$work/log.1.1"

for rank in 0 1; do
  # shellcheck disable=SC2046
  "$BAHECTL" audit $(rank_settings $rank) --set checkpoints.publish_dir="$work/publish0" --bootstrap "$addr" \
    >"$work/audit.$rank" 2>&1 || { echo "audit with rank $rank's store failed:"; cat "$work/audit.$rank"; exit 1; }
done
tail -n 3 "$work/audit.0"
tail -n 2 "$work/audit.1"
