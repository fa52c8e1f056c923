#!/usr/bin/env bash
# Sustained run: a log replayed into `bahectl broker` (librdkafka's mock
# cluster in its own process, so the daemon's memory is its own), bahed
# consuming it, then SIGTERM. Prints the sustained rates, the trainer's busy
# share, the RSS curve, how long the stop took; keeps the daemon's log and a
# CSV of its progress lines (one row every 5 s) for plotting.
#
# Usage: ops/soak.sh [--events FILE] [--minutes M] [--rate R] [--max-lag N]
#                    [--partitions P] [--out DIR] [bahed --set flags...]
# Default: the synthetic MovieLens-1M x10 log (10M events, bahectl data synth
# --scale 10, generated when missing), 20 minutes at 1,200 events/s, 16
# partitions, out var/soak.
# --rate 0: as fast as bahed consumes. The replay pauses while the group's
#   committed offsets are --max-lag events (default 20,000) behind the end of
#   any partition: the mock broker keeps only the newest 5 MiB (about 30,000
#   of these events) per partition, and a backlog beyond that would be
#   deleted before it is read (bahed counts it as offsets_skipped).
# --minutes 0: until the whole log is replayed and consumed; then the last
#   version must have trained every impression of the log exactly once.
# Needs the build and the demo base model (ops/run_demo.sh makes both).
set -euo pipefail
cd "$(dirname "$0")/.."

events=data/synth-x10/events.jsonl
minutes=20
rate=1200
max_lag=20000
partitions=16
out=var/soak
while [ $# -gt 0 ]; do
  case "$1" in
    --events) events=$2; shift 2 ;;
    --minutes) minutes=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --max-lag) max_lag=$2; shift 2 ;;
    --partitions) partitions=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done

BAHED=build/daemon/bahed
BAHECTL=build/daemon/bahectl
[ -x "$BAHED" ] && [ -x "$BAHECTL" ] || { echo "soak: build first (ops/setup.sh)" >&2; exit 1; }
[ -s data/base-model/config.json ] || { echo "soak: no data/base-model (run ops/run_demo.sh once)" >&2; exit 1; }
if [ ! -s "$events" ] && [ "$events" = data/synth-x10/events.jsonl ]; then
  "$BAHECTL" data synth --scale 10
fi

rm -rf "$out"
mkdir -p "$out"
broker_pid=
replay_pid=
bahed_pid=
trap 'kill $bahed_pid $replay_pid $broker_pid 2>/dev/null || true' EXIT
"$BAHECTL" broker --topics bahed.events:"$partitions" bahed.events.dlq:1 --address-file "$out/broker.address" \
  >/dev/null 2>"$out/broker.log" &
broker_pid=$!
flow=()
[ "$rate" = 0 ] && flow=(--max-lag "$max_lag")
"$BAHECTL" replay --events "$events" --bootstrap-file "$out/broker.address" --retime --rate "$rate" "${flow[@]}" \
  >"$out/replay.log" 2>&1 &
replay_pid=$!
for _ in $(seq 1 100); do [ -s "$out/broker.address" ] && break; sleep 0.1; done

"$BAHED" --config ops/demo.yaml --set kafka.bootstrap="$(cat "$out/broker.address")" \
  --set runtime.stop_when_idle_s=0 --set runtime.progress_interval_s=5 \
  --set store.path="$out/store" --set checkpoints.publish_dir="$out/publish" \
  --set checkpoints.state_dir="$out/state" --set checkpoints.every_steps=0 --set checkpoints.every_seconds=60 \
  --set admin.listen=127.0.0.1:0 "$@" >"$out/bahed.log" 2>&1 &
bahed_pid=$!
echo "soak: bahed (pid $bahed_pid) consuming $events at $([ "$rate" = 0 ] && echo "its own pace (lag <= $max_lag per partition)" || echo "$rate events/s") for $([ "$minutes" = 0 ] && echo "the whole log" || echo "$minutes min"); log $out/bahed.log" >&2

# Whole log: done once the replay exited and bahed's last progress line
# ($1) says it read to the end.
whole_log_consumed() {
  [ "$minutes" = 0 ] || return 1
  kill -0 $replay_pid 2>/dev/null && return 1
  echo "$1" | grep -q ' lag=0 '
}
# Whole log: a consumer that stops advancing after the replay ended is a
# failure (the 10M soak once stalled on its last 5,722 events).
stalled=0
last_consumed=
idle_since=$SECONDS
end=$((SECONDS + minutes * 60))
while [ "$minutes" = 0 ] || [ $SECONDS -lt $end ]; do
  kill -0 $bahed_pid 2>/dev/null || { echo "soak: bahed exited early" >&2; tail -n 20 "$out/bahed.log" >&2; exit 1; }
  sleep 30
  progress=$(grep ' progress ' "$out/bahed.log" | tail -n 1)
  echo "$progress" | sed 's/.* progress /soak: /' >&2
  whole_log_consumed "$progress" && break
  consumed=$(echo "$progress" | sed -n 's/.* consumed=\([0-9]*\).*/\1/p')
  if [ $((${consumed:-0} - ${last_consumed:-0})) -gt 100 ]; then
    last_consumed=$consumed
    idle_since=$SECONDS
  fi
  if [ "$minutes" = 0 ] && ! kill -0 $replay_pid 2>/dev/null && [ $((SECONDS - idle_since)) -ge 300 ]; then
    echo "soak: FAILED: the replay ended and bahed read under 100 events in 5 min with lag left" >&2
    stalled=1
    break
  fi
done
replay_status=0
if [ "$minutes" = 0 ]; then
  wait $replay_pid || replay_status=$?
  replay_pid=
  tail -n 1 "$out/replay.log" >&2
fi

stop_started=$SECONDS
kill -TERM $bahed_pid
status=0
wait $bahed_pid || status=$?
stop_s=$((SECONDS - stop_started))
bahed_pid=
if [ -n "$replay_pid" ]; then
  kill $replay_pid 2>/dev/null || true
  wait $replay_pid 2>/dev/null || true
  replay_pid=
fi

# progress lines -> CSV: seconds since the first line, then the fields.
awk '/ progress / {
  split($1, d, "T"); split(d[2], t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3];
  if (t0 == "") t0 = s;
  line = sprintf("%.1f", s - t0);
  for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2) { gsub(",", ";", kv[2]); if (!hdr_done) hdr = hdr "," kv[1]; line = line "," kv[2] }
  if (!hdr_done) { print "t_s" hdr; hdr_done = 1 }
  print line
}' "$out/bahed.log" >"$out/progress.csv"

python3 - "$out/progress.csv" "$minutes" "$stop_s" "$status" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
minutes, stop_s, status = float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
if len(rows) < 3:
    sys.exit("soak: too few progress lines")
f = lambda r, k: float(r[k])
first = next((r for r in rows if f(r, "trained") > 0), rows[0])
last = rows[-1]
span = f(last, "t_s") - f(first, "t_s")
warm = [r for r in rows if f(r, "t_s") >= 60] or rows
print("soak: %.0f min, %d progress lines" % (f(rows[-1], "t_s") / 60, len(rows)))
print("  events consumed          %12.0f  (%.0f/s from the first trained target on)" % (
    f(last, "consumed"), (f(last, "consumed") - f(first, "consumed")) / span))
print("  targets trained          %12.0f  (%.0f/s)" % (f(last, "trained"), (f(last, "trained") - f(first, "trained")) / span))
print("  steps                    %12.0f" % f(last, "steps"))
print("  progressive AUC          %12.4f  logloss %.4f" % (f(last, "auc"), f(last, "logloss")))
print("  trainer busy (last line) %12s" % last["trainer_busy"])
print("  lag at the end           %12.0f  (max %.0f)" % (f(last, "lag"), max(f(r, "lag") for r in rows)))
print("  RSS MiB at 1 min / end   %6.0f / %.0f  (max %.0f after 1 min)" % (
    f(warm[0], "rss_mb"), f(last, "rss_mb"), max(f(r, "rss_mb") for r in warm)))
print("  offsets skipped (lost)   %12s" % last.get("skipped", "?"))
print("  SIGTERM to exit          %12d s  (exit status %d)" % (stop_s, status))
# The curve: ten equal slices of the run, each slice's rates and RSS.
n = 10
t_end = f(last, "t_s")
print("  %-13s %10s %10s %10s %12s %12s" % ("slice (min)", "events/s", "targets/s", "lag max", "RSS median", "RSS max"))
for i in range(n):
    lo, hi = t_end * i / n, t_end * (i + 1) / n
    part = [r for r in rows if lo <= f(r, "t_s") <= hi]
    if len(part) < 2:
        continue
    dt = f(part[-1], "t_s") - f(part[0], "t_s")
    print("  %5.1f-%-7.1f %10.0f %10.0f %10.0f %12.0f %12.0f" % (
        lo / 60, hi / 60, (f(part[-1], "consumed") - f(part[0], "consumed")) / dt,
        (f(part[-1], "trained") - f(part[0], "trained")) / dt, max(f(r, "lag") for r in part),
        statistics.median(f(r, "rss_mb") for r in part), max(f(r, "rss_mb") for r in part)))
EOF
grep 'trainer checkpoint_published' "$out/bahed.log" | tail -n 3 | sed 's/.*checkpoint_published /soak: last versions: /' >&2
[ $stalled = 0 ] || status=1
if [ "$minutes" = 0 ] && [ $status = 0 ]; then
  # Nothing lost, nothing twice: the newest version's lineage trained exactly
  # the log's impressions (every event of these logs is valid).
  impressions=$(grep -c '"type":"impression"' "$events")
  trained=$(grep 'trainer checkpoint_published' "$out/bahed.log" | tail -n 1 | sed 's/.* targets=\([0-9]*\).*/\1/')
  echo "soak: impressions in the log $impressions, trained by the last version $trained" >&2
  [ "$impressions" = "$trained" ] || { echo "soak: FAILED: not every impression trained exactly once" >&2; status=1; }
  [ $replay_status = 0 ] || { echo "soak: FAILED: the replay exited $replay_status" >&2; status=1; }
fi
exit $status
