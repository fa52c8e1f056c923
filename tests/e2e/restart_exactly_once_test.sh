#!/usr/bin/env bash
# End to end, delivery semantics: a MovieLens log sits in a broker that
# outlives bahed (bahectl broker); bahed is stopped with SIGTERM and killed
# with SIGKILL at several points of the replay, restarted each time, and
# finally left to finish. Then `bahectl audit` reads the whole topic and
# must find that the last version's lineage trained every labelled event
# exactly once (count and offset checksum per partition) and that every
# user's history holds each behavior once.
# Usage: restart_exactly_once_test.sh BAHED BAHECTL EVENTS_JSONL [N_EVENTS] [RATE]
set -euo pipefail
BAHED=${1:?path to bahed}
BAHECTL=${2:?path to bahectl}
EVENTS=${3:?MovieLens event log (bahectl data movielens)}
N_EVENTS=${4:-20000}
RATE=${5:-400}  # events/s: the replay spans the kill rounds
work=$(mktemp -d)
broker_pid=
replay_pid=
pid=
trap 'kill -9 $pid 2>/dev/null || true; kill $replay_pid 2>/dev/null || true; kill $broker_pid 2>/dev/null || true; rm -rf "$work"' EXIT

"$BAHECTL" model init --out "$work/model" --hidden 64 --intermediate 128 --layers 4 --heads 4 --kv-heads 2 >/dev/null
"$BAHECTL" broker --topics bahed.events:3 bahed.events.dlq:1 --address-file "$work/addr" >/dev/null 2>&1 &
broker_pid=$!
head -n "$N_EVENTS" "$EVENTS" > "$work/events.jsonl"
# The log arrives while bahed is killed and restarted: kills land in every
# phase (joining, consuming, encoding, training, publishing).
"$BAHECTL" replay --events "$work/events.jsonl" --bootstrap-file "$work/addr" --rate "$RATE" \
  >"$work/replay.log" 2>&1 &
replay_pid=$!
for _ in $(seq 1 100); do [ -s "$work/addr" ] && break; sleep 0.1; done
addr=$(cat "$work/addr")

settings=(--set kafka.bootstrap="$addr"
  --set kafka.properties.session.timeout.ms=6000 --set kafka.properties.heartbeat.interval.ms=500
  --set encoder.model_dir="$work/model" --set encoder.n_layers_shallow=2
  --set store.path="$work/store" --set checkpoints.publish_dir="$work/publish"
  --set checkpoints.state_dir="$work/state" --set checkpoints.every_steps=4
  --set runtime.progress_interval_s=1 --set admin.listen=127.0.0.1:0)

# Waits until the current run's log matches PATTERN at least N times (or
# 40 s pass, then kills anyway and says so).
wait_log() {
  local log=$1 pattern=$2 n=${3:-1}
  for _ in $(seq 1 400); do
    [ "$(grep -c -E "$pattern" "$log" || true)" -ge "$n" ] && return 0
    kill -0 $pid 2>/dev/null || { echo "bahed exited early"; tail -n 20 "$log"; exit 1; }
    sleep 0.1
  done
  echo "  (pattern '$pattern' not seen in 40 s)"
}

# Kill points, each in a different phase: while joining the group, after a
# publication, in the middle of training steps, while consuming. SIGKILL
# must lose nothing; SIGTERM must drain, publish and exit 0.
rounds=(
  "KILL|partitions_assigned|1"
  "TERM|checkpoint_published|1"
  "KILL|checkpoint_published|2"
  "KILL|progress .* trained=[1-9]|1"
  "TERM|progress consumed=[1-9]|1"
  "KILL|trainer checkpoint_published|1"
  "KILL|progress .* steps=[1-9]|2"
)
for round in "${!rounds[@]}"; do
  IFS='|' read -r signal pattern n <<<"${rounds[$round]}"
  "$BAHED" "${settings[@]}" >"$work/log.$round" 2>&1 &
  pid=$!
  wait_log "$work/log.$round" "$pattern" "$n"
  if [ "$signal" = KILL ]; then
    kill -KILL $pid; wait $pid 2>/dev/null || true
  else
    kill -TERM $pid
    if ! wait $pid; then echo "round $round: SIGTERM did not exit 0"; tail -n 20 "$work/log.$round"; exit 1; fi
  fi
  echo "round $round: SIG$signal after '$pattern' x$n ($(grep -c 'trainer checkpoint_published' "$work/log.$round" || true) versions published, $(grep -o 'trained=[0-9]*' "$work/log.$round" | tail -n 1))"
  pid=
done

wait $replay_pid || { echo "replay failed"; cat "$work/replay.log"; exit 1; }
tail -n 1 "$work/replay.log"

# The last run finishes the log and stops once idle.
"$BAHED" "${settings[@]}" --set runtime.stop_when_idle_s=4 >"$work/log.final" 2>&1 &
pid=$!
if ! wait $pid; then echo "final run failed"; tail -n 20 "$work/log.final"; exit 1; fi
pid=
grep -h "restored version=" "$work"/log.* | head -n 20
# Restores from at least three different versions: kills hit a lineage
# that kept moving.
restores=$(cat "$work"/log.* | grep -o "restored version=[0-9]*" | sort -u | wc -l)
[ "$restores" -ge 3 ] || { echo "expected restores from 3 different versions, saw $restores"; exit 1; }
grep 'trainer_summary' "$work/log.final"

# LATEST names a complete version, and it is the one audited.
latest=$(cat "$work/publish/LATEST")
"$BAHECTL" audit "${settings[@]}" --bootstrap "$addr" | tee "$work/audit.txt"
grep -q "^version $work/publish/$latest:" "$work/audit.txt"
echo "restart_exactly_once_test: ok"
