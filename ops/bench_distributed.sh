#!/usr/bin/env bash
# Benchmark: the same MovieLens prefix trained by 1, 2 and 3 bahed ranks
# (distributed.world_size) side by side in one run, on one bahectl broker
# (6 partitions, so every rank count gets an equal share). For each rank
# count: targets/s from the first rank joining to the last finishing, the
# speed-up over one rank, and the share of the trainers' time spent in the
# group's collectives (gradient all-reduce and the per-step agreement).
# Every rank gets one BLAS thread: on a machine with fewer cores than ranks
# they share the cores, so expect little gain here.
# Usage: ops/bench_distributed.sh [--events FILE] [--limit N] [--ranks "1 2 3"] [--json]
set -euo pipefail
cd "$(dirname "$0")/.."

events=data/movielens/events.jsonl
limit=30000
ranks="1 2 3"
json=0
while [ $# -gt 0 ]; do
  case "$1" in
    --events) events=$2; shift 2 ;;
    --limit) limit=$2; shift 2 ;;
    --ranks) ranks=$2; shift 2 ;;
    --json) json=1; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown flag $1" >&2; exit 2 ;;
  esac
done
BAHED=build/daemon/bahed
BAHECTL=build/daemon/bahectl
[ -s data/base-model/config.json ] || { echo "bench_distributed: no data/base-model (run ops/run_demo.sh once)" >&2; exit 1; }

work=$(mktemp -d)
broker_pid=
trap 'pkill -P $$ 2>/dev/null || true; kill $broker_pid 2>/dev/null || true; rm -rf "$work"' EXIT
"$BAHECTL" broker --topics bahed.events:6 bahed.events.dlq:1 --address-file "$work/addr" >/dev/null 2>&1 &
broker_pid=$!
"$BAHECTL" replay --events "$events" --limit "$limit" --bootstrap-file "$work/addr" >/dev/null 2>&1
addr=$(cat "$work/addr")
idle_s=3

for n in $ranks; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  pids=()
  mkdir -p "$work/r$n"
  for rank in $(seq 0 $((n - 1))); do
    group=()
    if [ "$n" -gt 1 ]; then
      group=(--set distributed.world_size="$n" --set distributed.rank="$rank" --set distributed.rendezvous=127.0.0.1:"$port")
    fi
    OPENBLAS_NUM_THREADS=1 "$BAHED" --config ops/demo.yaml --set kafka.bootstrap="$addr" --set kafka.group_id="bench-$n" \
      --set store.path="$work/r$n/store$rank" --set checkpoints.publish_dir="$work/r$n/publish$rank" \
      --set checkpoints.state_dir="$work/r$n/state$rank" --set checkpoints.every_steps=0 \
      --set checkpoints.every_seconds=0 --set runtime.stop_when_idle_s=$idle_s --set admin.listen=127.0.0.1:0 \
      "${group[@]}" >"$work/log.$n.$rank" 2>&1 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || { echo "bench_distributed: a rank of $n failed" >&2; tail -n 5 "$work"/log."$n".*; exit 1; }; done
done

python3 - "$work" "$json" "$idle_s" $ranks <<'EOF'
import json, re, sys
from datetime import datetime
work, as_json, idle_s, ranks = sys.argv[1], sys.argv[2] == "1", float(sys.argv[3]), [int(r) for r in sys.argv[4:]]
def t(line): return datetime.fromisoformat(line.split()[0]).timestamp()
rows = {}
for n in ranks:
    start, end, targets, group_s, allreduce_s, step_s, busy = None, None, 0, 0.0, 0.0, 0.0, []
    for rank in range(n):
        lines = open(f"{work}/log.{n}.{rank}").read().splitlines()
        first = next(l for l in lines if "partitions_assigned" in l)
        drained = next(l for l in lines if "trainer_drained" in l)
        start = min(start or t(first), t(first))
        # The loop ends after stop_when_idle_s without input: not training time.
        end = max(end or 0, t(drained) - idle_s)
        targets += int(re.search(r"targets=(\d+)", drained).group(1))
        m = re.search(r"group_s=([\d.]+)", drained)
        group_s += float(m.group(1)) if m else 0.0
        m = re.search(r"allreduce_s=([\d.]+)", drained)
        allreduce_s += float(m.group(1)) if m else 0.0
        m = re.search(r"step_s=([\d.]+)", drained)
        step_s += float(m.group(1)) if m else 0.0
        busy.append(float(re.search(r"busy=(\d+)%", drained).group(1)))
    seconds = end - start
    rows[n] = {"targets": targets, "seconds": seconds, "targets_per_s": targets / seconds,
               "group_share": group_s / (n * seconds), "trainer_busy": sum(busy) / len(busy) / 100,
               "allreduce_share_of_step": allreduce_s / step_s if step_s > 0 else 0.0}
base = rows[ranks[0]]["targets_per_s"]
for n in ranks: rows[n]["speedup"] = rows[n]["targets_per_s"] / base
if as_json:
    print(json.dumps({"benchmark": "bench distributed: data-parallel bahed ranks on one broker",
                      "tables": {"ranks": {str(n): r for n, r in rows.items()}}}))
else:
    print("bench distributed: data-parallel bahed ranks (Gloo on loopback), MovieLens prefix, one BLAS thread per rank")
    print(f"{'ranks':>5} {'targets':>8} {'seconds':>8} {'targets/s':>10} {'speed-up':>9} {'all-reduce/step':>16} {'agreeing':>9} {'busy':>6}")
    for n, r in rows.items():
        print(f"{n:>5} {r['targets']:>8} {r['seconds']:>8.1f} {r['targets_per_s']:>10.0f} {r['speedup']:>8.2f}x "
              f"{100 * r['allreduce_share_of_step']:>15.1f}% {100 * r['group_share']:>8.1f}% {100 * r['trainer_busy']:>5.0f}%")
    print("all-reduce/step: share of optimizer-step time in the gradient all-reduce; agreeing: share of wall time in the per-tick agreement")
EOF
