#!/usr/bin/env bash
# End to end, disk faults (issue #9). A MovieLens slice sits in a broker that
# outlives bahed (bahectl broker). In each scenario bahed publishes at least
# one good version, then a disk fault hits one of its directories and more
# events arrive:
#   1. publish_full:  checkpoints.publish_dir's file system fills up (ENOSPC)
#   2. publish_ro:    checkpoints.publish_dir turns read-only (EROFS)
#   3. store_full:    the RocksDB store's file system fills up (ENOSPC)
#   4. state_full:    checkpoints.state_dir's file system fills up (ENOSPC)
# bahed must then stop by itself, exit non-zero, with an error that names
# the faulted path and the cause; LATEST must still name the last version it
# published, that version must verify, and no version folder may be partial
# (the publisher removes its .tmp- folder on error, or its next open() does).
# No version may claim offsets beyond what the store holds. Then the fault is
# cleared and bahed restarted: it restores that version, finishes the log,
# and `bahectl audit` must find every labelled event trained exactly once and
# every history whole. The time from the fault to the exit is printed.
#
# Faults come from small tmpfs mounts (filled with dd) and a read-only bind
# mount over the publish disk (a plain `mount -o remount,ro` of the tmpfs is
# refused with EBUSY while bahed holds its publish lock file open for
# writing; a bind mount made afterwards is not, and every path lookup then
# sees a read-only file system, as after ext4's errors=remount-ro). Where
# mounting is not permitted (or BAHED_DISK_FAULTS_MODE=rlimit), the fault is
# RLIMIT_FSIZE lowered on the running bahed (prlimit; SIGXFSZ ignored, its log
# piped): a write failure (EFBIG) in whichever file grows past it first, so
# the scenarios then differ only in timing and the checks are the same minus
# which directory is named.
# Debugging: BAHED_DISK_FAULTS_ONLY=store_full runs one scenario,
# BAHED_DISK_FAULTS_KEEP=1 keeps the work folder (mounts are still removed).
# Usage: disk_faults_test.sh BAHED BAHECTL EVENTS_JSONL [N_EVENTS]
set -euo pipefail
BAHED=${1:?path to bahed}
BAHECTL=${2:?path to bahectl}
EVENTS=${3:?MovieLens event log (bahectl data movielens)}
N_EVENTS=${4:-4000}
EXIT_DEADLINE_S=60  # longer than this from the fault to the exit is a hang

work=$(mktemp -d)
mounts=()
broker_pid=
pid=
cat_pid=
cleanup() {
  if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
  if [ -n "$cat_pid" ]; then kill "$cat_pid" 2>/dev/null || true; fi
  if [ -n "$broker_pid" ]; then kill "$broker_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" 2>/dev/null ||
      echo "warning: could not unmount ${mounts[i]}"
  done
  if [ -n "${BAHED_DISK_FAULTS_KEEP:-}" ]; then echo "kept $work (logs; the tmpfs contents went with the mounts)"; else rm -rf "$work"; fi
}
trap cleanup EXIT
fail() { echo "FAIL [$scenario]: $*"; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

scenario=setup
mode=${BAHED_DISK_FAULTS_MODE:-mount}
if [ "$mode" = mount ]; then
  mkdir "$work/probe"
  if mount -t tmpfs -o size=1m tmpfs "$work/probe" 2>/dev/null; then
    umount "$work/probe"
  else
    echo "mount is not permitted here: faults come from RLIMIT_FSIZE instead"
    mode=rlimit
  fi
fi
if [ "$mode" = rlimit ]; then
  command -v prlimit >/dev/null || fail "neither mount nor prlimit (util-linux) is available"
  trap '' XFSZ  # inherited by bahed: a write past the limit fails with EFBIG instead of killing it
fi
echo "fault mode: $mode"

"$BAHECTL" model init --out "$work/model" --hidden 64 --intermediate 128 --layers 4 --heads 4 --kv-heads 2 >/dev/null
scenarios=(publish_full publish_ro store_full state_full)
topics=()
for s in "${scenarios[@]}"; do topics+=("$s:3"); done
"$BAHECTL" broker --topics "${topics[@]}" bahed.events.dlq:1 --address-file "$work/addr" >/dev/null 2>&1 &
broker_pid=$!
half=$((N_EVENTS / 2))
head -n "$half" "$EVENTS" >"$work/events.1.jsonl"
head -n "$N_EVENTS" "$EVENTS" | tail -n +$((half + 1)) >"$work/events.2.jsonl"
for _ in $(seq 1 100); do [ -s "$work/addr" ] && break; sleep 0.1; done
[ -s "$work/addr" ] || fail "the broker wrote no address"
addr=$(cat "$work/addr")

mount_tmpfs() {  # DIR SIZE
  mkdir -p "$1"
  mount -t tmpfs -o "size=$2" tmpfs "$1" || fail "mount tmpfs on $1"
  mounts+=("$1")
}
unmount_last() {  # DIR: must be the last entry of mounts
  umount "$1" || fail "umount $1"
  unset 'mounts[${#mounts[@]}-1]'
}

# Starts bahed with its log piped (through a FIFO to cat), so a file size
# limit on bahed never hits its own log; sets pid and cat_pid.
start_bahed() {  # LOG SETTINGS...
  local log=$1
  shift
  rm -f "$log.fifo"
  mkfifo "$log.fifo"
  cat "$log.fifo" >"$log" &
  cat_pid=$!
  "$BAHED" "$@" >"$log.fifo" 2>&1 &
  pid=$!
}
# Waits for bahed to exit and for its log to be complete; sets rc.
reap_bahed() {
  rc=0
  wait "$pid" || rc=$?
  wait "$cat_pid" || true
  pid=
  cat_pid=
}
# Waits at most EXIT_DEADLINE_S for bahed to exit by itself; sets rc.
wait_exit() {  # LOG
  local deadline=$(($(date +%s) + EXIT_DEADLINE_S))
  while kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.05; done
  if kill -0 "$pid" 2>/dev/null; then
    tail -n 20 "$1"
    fail "bahed still running $EXIT_DEADLINE_S s after the fault (hang)"
  fi
  reap_bahed
}
wait_log() {  # LOG PATTERN SECONDS
  local i
  for i in $(seq 1 $(($3 * 10))); do
    grep -q -E "$2" "$1" && return 0
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$1"; fail "bahed exited before '$2'"; }
    sleep 0.1
  done
  tail -n 20 "$1"
  fail "'$2' not seen in $3 s"
}
last_published() {  # LOG: the last version the trainer published, or none
  grep -o 'trainer checkpoint_published version=[0-9]*' "$1" | tail -n 1 | grep -o '[0-9]*$' || true
}

# Every folder of the publish directory named like a version must verify
# (`checkpoints list` verifies them all, exit 0 only if all do); with
# STRICT, no .tmp- folder or LATEST.tmp may be left either.
check_publish_dir() {  # DIR STRICT
  local dir=$1 strict=$2 entry name
  "$BAHECTL" checkpoints list --publish-dir "$dir" >"$work/list.out" 2>&1 ||
    { cat "$work/list.out"; fail "a folder under a version name does not verify (a partial version)"; }
  for entry in "$dir"/* "$dir"/.[!.]*; do
    [ -e "$entry" ] || continue
    name=$(basename "$entry")
    case "$name" in
      v[0-9][0-9][0-9][0-9][0-9][0-9] | LATEST | .lock) ;;
      .tmp-* | LATEST.tmp)
        [ "$strict" = strict ] && fail "$name left in the publish directory"
        echo "  leftover $name (its removal is the next open()'s job)" ;;
      *) fail "unexpected entry $name in the publish directory" ;;
    esac
  done
}

# The version's offsets must not pass what the store holds: a restart seeks
# to them, and events before them whose histories were lost would stay lost.
check_offsets_within_store() {  # PUBLISH_DIR VERSION STORE
  local manifest
  manifest="$1/$(printf 'v%06d' "$2")/manifest.json"
  "$BAHECTL" store stats --path "$3" --json >"$work/store_stats.json" 2>"$work/store_stats.err" ||
    { cat "$work/store_stats.err"; fail "cannot read the store after the fault"; }
  python3 - "$manifest" "$work/store_stats.json" <<'EOF' || fail "the last version claims offsets the store does not hold"
import json, sys
manifest = json.load(open(sys.argv[1]))
store = {str(p["partition"]): p["next_offset"] for p in json.load(open(sys.argv[2]))["applied_offsets"]}
bad = {p: (o, store.get(p, 0)) for p, o in manifest["offsets"].items() if o > store.get(p, 0)}
print("  offsets: version %s, store %s" % (manifest["offsets"], store))
sys.exit(1 if bad else 0)
EOF
}

summary=()
run_scenario() {  # NAME FAULTED(publish|store|state) FAULT(full|ro)
  scenario=$1
  local faulted=$2 fault=$3 s="$work/$1" disk publish store state
  mkdir -p "$s"
  disk="$s/disk"
  publish="$s/publish" store="$s/store" state="$s/state"
  case "$faulted" in
    publish) publish="$disk/publish" ;;
    store) store="$disk/store" ;;
    state) state="$disk/state" ;;
  esac
  [ "$mode" = mount ] && mount_tmpfs "$disk" 64m
  mkdir -p "$disk"
  local settings=(--set kafka.bootstrap="$addr" --set kafka.topic="$1" --set kafka.group_id="$1"
    --set kafka.properties.session.timeout.ms=6000 --set kafka.properties.heartbeat.interval.ms=500
    --set encoder.model_dir="$work/model" --set encoder.n_layers_shallow=2
    --set store.path="$store" --set checkpoints.publish_dir="$publish"
    --set checkpoints.state_dir="$state" --set checkpoints.every_steps=4
    --set runtime.progress_interval_s=1 --set admin.listen=127.0.0.1:0)
  echo "== $1: $([ "$mode" = mount ] && echo "$faulted directory, fault: $fault" || echo "RLIMIT_FSIZE on bahed: the first file to grow past it")"

  "$BAHECTL" replay --events "$work/events.1.jsonl" --bootstrap "$addr" --topic "$1" >"$s/replay.1.log" 2>&1 ||
    { cat "$s/replay.1.log"; fail "replay"; }
  start_bahed "$s/log.0" "${settings[@]}"
  wait_log "$s/log.0" 'trainer checkpoint_published' 90

  local t_fault t_exit
  t_fault=$(now)
  if [ "$mode" = rlimit ]; then
    # Below the size of every file bahed keeps writing (versions are ~500 KB).
    prlimit --pid "$pid" --fsize=65536:65536 || fail "prlimit"
  elif [ "$fault" = full ]; then
    dd if=/dev/zero of="$disk/filler" bs=64k 2>/dev/null || true
    [ "$(df --output=avail -k "$disk" | tail -n 1 | tr -d ' ')" -eq 0 ] || fail "dd left space on $disk"
  else
    mount --bind "$disk" "$disk" || fail "bind mount $disk"
    mounts+=("$disk")
    mount -o remount,bind,ro "$disk" || fail "remount $disk read-only"
    touch "$publish/probe" 2>/dev/null && fail "$publish is still writable"
  fi
  # More events: the next steps, encodings and publication meet the fault.
  "$BAHECTL" replay --events "$work/events.2.jsonl" --bootstrap "$addr" --topic "$1" >"$s/replay.2.log" 2>&1 ||
    { cat "$s/replay.2.log"; fail "replay"; }
  wait_exit "$s/log.0"
  t_exit=$(now)
  local to_exit fault_rc=$rc
  to_exit=$(elapsed "$t_fault" "$t_exit")
  # Exit 1 is "a stage failed" (README, exit codes); 0 would hide the fault,
  # and a signal's 128+N is a crash, not a stop.
  [ "$fault_rc" -eq 1 ] || { tail -n 20 "$s/log.0"; fail "bahed exited $fault_rc after a disk fault, not 1"; }

  # The error names the path and the cause.
  local error cause path_expected
  error=$(grep -m 1 'stage_failed' "$s/log.0" || true)
  [ -n "$error" ] || { tail -n 20 "$s/log.0"; fail "no stage_failed line"; }
  echo "  error: ${error#* stage_failed }"
  local t_error
  t_error=$(date -d "$(cut -c 1-23 <<<"$error" | tr T ' ')" +%s.%N)
  grep -q -F "stopped with an error" "$s/log.0" || fail "no 'stopped with an error' line at exit"
  case "$mode/$fault" in
    rlimit/*) cause='File too large'; path_expected="$s/" ;;
    */full) cause='No space left on device'; path_expected="$disk/$faulted" ;;
    */ro) cause='Read-only file system'; path_expected="$disk/$faulted" ;;
  esac
  grep -q -F "$cause" <<<"$error" || fail "the error does not give the cause '$cause'"
  grep -q -F "$path_expected" <<<"$error" || fail "the error does not name the path $path_expected"

  # LATEST names the last version published before the fault, complete.
  local latest published
  published=$(last_published "$s/log.0")
  [ -f "$publish/LATEST" ] || fail "no LATEST"
  latest=$(cat "$publish/LATEST")
  [ "$latest" = "$(printf 'v%06d' "$published")" ] || fail "LATEST is $latest, the last published version $published"
  "$BAHECTL" checkpoints verify --publish-dir "$publish" >"$s/verify.txt" 2>&1 || { cat "$s/verify.txt"; fail "LATEST does not verify"; }
  check_publish_dir "$publish" lenient
  check_offsets_within_store "$publish" "$published" "$store"

  # Starting on a publish directory that is still read-only fails at once,
  # naming it.
  if [ "$mode" = mount ] && [ "$fault" = ro ]; then
    start_bahed "$s/log.ro" "${settings[@]}"
    wait_exit "$s/log.ro"
    [ "$rc" -eq 1 ] || { tail -n 20 "$s/log.ro"; fail "start-up on a read-only publish directory exited $rc, not 1"; }
    error=$(grep -m 1 'start-up failed' "$s/log.ro" || true)
    echo "  start-up, still read-only: ${error:-no 'start-up failed' line}"
    grep -q -F "$publish" <<<"$error" && grep -q -F "$cause" <<<"$error" ||
      fail "the start-up error does not name $publish and '$cause'"
    [ "$(cat "$publish/LATEST")" = "$latest" ] || fail "LATEST moved"
  fi

  # Clear the fault and restart: the lineage continues from LATEST.
  if [ "$mode" = mount ]; then
    if [ "$fault" = full ]; then rm -f "$disk/filler"; else unmount_last "$disk"; fi
  fi
  local t_restart
  t_restart=$(now)
  start_bahed "$s/log.1" "${settings[@]}" --set runtime.stop_when_idle_s=3
  reap_bahed
  [ "$rc" -eq 0 ] || { tail -n 20 "$s/log.1"; fail "the restart after clearing the fault exited $rc"; }
  grep -q "restored version=$published " "$s/log.1" ||
    { grep -E 'restored|fresh_start' "$s/log.1"; fail "the restart did not restore version $published"; }
  check_publish_dir "$publish" strict
  local final
  final=$(cat "$publish/LATEST")
  "$BAHECTL" audit "${settings[@]}" --bootstrap "$addr" >"$s/audit.txt" 2>&1 || { cat "$s/audit.txt"; fail "audit"; }
  grep -q "^version $publish/$final:" "$s/audit.txt" || { cat "$s/audit.txt"; fail "audit did not check LATEST ($final)"; }
  grep -q '^exactly once' "$s/audit.txt" || { cat "$s/audit.txt"; fail "audit"; }
  echo "  exit $fault_rc after $to_exit s (error logged at +$(elapsed "$t_fault" "$t_error") s); LATEST $latest (verifies); restart restored $published, " \
    "ran $(elapsed "$t_restart" "$(now)") s, LATEST $final; audit: $(tail -n 1 "$s/audit.txt")"
  summary+=("$(printf '%-13s exit %s %5s s after the fault (error at +%s s)   LATEST %s (verifies)   restart: audit exactly once' \
    "$1" "$fault_rc" "$to_exit" "$(elapsed "$t_fault" "$t_error")" "$latest")")
  if [ "$mode" = mount ]; then unmount_last "$disk"; fi
}

start_s=$(date +%s)
# BAHED_DISK_FAULTS_ONLY=name runs one scenario (debugging).
for args in "publish_full publish full" "publish_ro publish ro" "store_full store full" "state_full state full"; do
  read -r name faulted fault <<<"$args"
  [ -z "${BAHED_DISK_FAULTS_ONLY:-}" ] || [ "$BAHED_DISK_FAULTS_ONLY" = "$name" ] || continue
  run_scenario "$name" "$faulted" "$fault"
done
scenario=summary
printf '%s\n' "${summary[@]}"
echo "disk_faults_test: ok ($mode, $(($(date +%s) - start_s)) s)"
