#!/usr/bin/env bash
# End to end: bahed on its embedded broker; another Kafka client (kcat)
# produces garbage and a valid event; the garbage must reach the dead-letter
# topic with its reason in a header, the valid event must be accepted, and
# bahed must keep running and exit 0 on SIGTERM.
set -euo pipefail
BAHED=${1:?path to bahed}
BAHECTL=${2:?path to bahectl}
work=$(mktemp -d)
pid=
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT

"$BAHECTL" model init --out "$work/model" >/dev/null
"$BAHED" --set kafka.embedded_address_file="$work/addr" --set runtime.progress_interval_s=1 \
  --set encoder.model_dir="$work/model" --set store.path="$work/store" \
  --set checkpoints.publish_dir="$work/publish" --set checkpoints.state_dir="$work/state" \
  --set admin.listen=127.0.0.1:0 >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do [ -s "$work/addr" ] && break; kill -0 $pid; sleep 0.1; done
addr=$(cat "$work/addr")

printf '%s\n' 'this is not json at all' | kcat -b "$addr" -t bahed.events -P -k u1
printf '\xff\xfe{"v":1}\n' | kcat -b "$addr" -t bahed.events -P -k u2
printf '%s\n' '{"v":1,"type":"behavior","user":"u3","ts":1700000000000,"text":"searched: kcat"}' \
  | kcat -b "$addr" -t bahed.events -P -k u3

# Two dead letters, each with its reason header.
out=$(timeout 60 kcat -b "$addr" -t bahed.events.dlq -C -o beginning -c 2 -J -q)
echo "$out"
echo "$out" | grep -q '"bahed.reason","malformed_json"'
echo "$out" | grep -q '"bahed.reason","invalid_utf8"'
echo "$out" | grep -q 'this is not json at all'

# bahed is still running; it accepted the valid event.
for _ in $(seq 1 100); do grep -q 'behaviors=1 ' "$work/log" && break; sleep 0.2; done
kill -0 $pid
kill -TERM $pid
wait $pid
grep 'summary' "$work/log"
grep -q 'summary consumed=3 impressions=0 behaviors=1 rejected=2 dead_lettered=2' "$work/log"
echo "kcat_dead_letter_test: ok"
