#!/usr/bin/env bash
# End to end, process faults (#9): bahed is SIGKILLed N_KILLS times at
# seeded random moments while a MovieLens log is replayed into a broker that
# outlives it (bahectl broker). Each kill aims at one phase: start-up
# (model, store, restore), joining the group, consuming and encoding just
# after the assignment, training (once the run has published), or a
# publication in progress (armed on the first sign of one on disk, then a
# random few ms more, so kills land in the state save, the staging folder,
# the rename, LATEST and retention). Where each kill landed is read
# afterwards from what it left on disk and from the log.
#
# After every kill, on the folders as the kill left them:
#   - LATEST, once it exists, names a version folder that
#     `bahectl checkpoints verify` accepts, never goes back, and has its
#     training state in checkpoints.state_dir;
#   - the publish dir holds only complete versions (each v* folder holds
#     exactly its manifest's files, sizes and sha256; `bahectl checkpoints
#     list` verifies them whenever they changed), staging folders (.tmp-*),
#     LATEST(.tmp) and .lock;
#   - every version on disk trained exactly the events before its offsets,
#     once (every event of the log is a labelled impression, so per partition
#     its audit must count `offset` targets with the checksum of offsets
#     0..offset-1), and its parent is older, with fewer steps and targets;
#   - the run restored the version LATEST named when it started (without
#     LATEST, the newest complete version folder), and LATEST's parent chain
#     passes through that version (no fork from an unfinished one).
# Finally the log is drained by a run with runtime.stop_when_idle_s and
# `bahectl audit` must report exactly once against the whole topic.
#
# Usage: kill_storm_test.sh BAHED BAHECTL EVENTS_JSONL [N_KILLS] [SEED]
# SEED defaults to a fresh one; it is printed first. It fixes the schedule
# (phase and delay of every kill), not the daemon's timing.
# KILL_STORM_KEEP=1 keeps the work folder (logs, publish dir) for inspection.
set -euo pipefail
export LC_ALL=C
BAHED=${1:?path to bahed}
BAHECTL=${2:?path to bahectl}
EVENTS=${3:?MovieLens event log (bahectl data movielens)}
N_KILLS=${4:-24}
SEED=${5:-$(( $(date +%s%N) % 32768 ))}
N_EVENTS=20000
N_PARTITIONS=3
# The replay spans roughly the kill rounds (about 6 s each), so kills also
# land while new events, and unseen behaviors to encode, keep arriving.
RATE=$(( N_EVENTS / (N_KILLS * 6) ))
(( RATE >= 50 )) || RATE=50
RANDOM=$SEED
echo "kill_storm_test: seed=$SEED kills=$N_KILLS events=$N_EVENTS rate=$RATE/s"
echo "  reproduce: $0 BAHED BAHECTL EVENTS_JSONL $N_KILLS $SEED"

work=$(mktemp -d)
broker_pid=
replay_pid=
pid=
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
  [ -n "$replay_pid" ] && kill "$replay_pid" 2>/dev/null
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null
  if [ "${KILL_STORM_KEEP:-0}" = 1 ]; then echo "work folder kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
pub=$work/publish
state=$work/state
exec {sleep_fd}<> <(:)  # read -t on it is a sleep without a fork
sleep_ms() {
  local t
  printf -v t '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 ))
  read -r -t "$t" -u "$sleep_fd" _ || true
}
now_ms() { local t=${EPOCHREALTIME/./}; NOW_MS=$(( t / 1000 )); }
now_ms
t_start=$NOW_MS
# rand LO HI: sets R to a uniform integer in [LO, HI] (no subshell, so the
# seeded sequence is the parent shell's).
rand() { R=$(( $1 + (RANDOM * 32768 + RANDOM) % ($2 - $1 + 1) )); }
fail() { echo "FAIL (seed $SEED): $*"; [ -n "${log:-}" ] && [ -f "$log" ] && tail -n 15 "$log"; exit 1; }

# Every event must be a labelled impression for the per-version audit check.
head -n "$N_EVENTS" "$EVENTS" > "$work/events.jsonl"
[ "$(grep -c '"type":"impression"' "$work/events.jsonl")" -eq "$N_EVENTS" ] || fail "the log's first $N_EVENTS events are not all impressions"
[ "$(grep -c '"label":' "$work/events.jsonl")" -eq "$N_EVENTS" ] || fail "the log's first $N_EVENTS events are not all labelled"
# checksum[n]: sum mod 2^64 of SplitMix64(offset) over offsets 0..n-1
# (common/target_audit.h), the audit of a partition trained through n.
checksum=(0)
m30=$(( (1 << 34) - 1 )); m27=$(( (1 << 37) - 1 )); m31=$(( (1 << 33) - 1 ))
sum=0
for (( o = 0; o < N_EVENTS; o++ )); do
  z=$(( o + 0x9e3779b97f4a7c15 ))
  z=$(( (z ^ ((z >> 30) & m30)) * 0xbf58476d1ce4e5b9 ))
  z=$(( (z ^ ((z >> 27) & m27)) * 0x94d049bb133111eb ))
  z=$(( z ^ ((z >> 31) & m31) ))
  sum=$(( sum + z ))
  checksum[o + 1]=$sum
done

"$BAHECTL" model init --out "$work/model" --hidden 64 --intermediate 128 --layers 4 --heads 4 --kv-heads 2 >/dev/null
"$BAHECTL" broker --topics bahed.events:$N_PARTITIONS bahed.events.dlq:1 --address-file "$work/addr" >/dev/null 2>&1 &
broker_pid=$!
"$BAHECTL" replay --events "$work/events.jsonl" --bootstrap-file "$work/addr" --rate "$RATE" >"$work/replay.log" 2>&1 &
replay_pid=$!
for _ in $(seq 1 100); do [ -s "$work/addr" ] && break; sleep 0.1; done
[ -s "$work/addr" ] || fail "the broker wrote no address"
addr=$(cat "$work/addr")

# Small model, small steps, rows that leave after 1 s without waiting to
# fill, a version after every step (several a second), few kept: a run
# publishes soon after it joins, and kills often find a publication or a
# retention in progress. A session timeout of 4 s lets a restarted daemon
# take over a killed one's partitions sooner; it must stay above the
# embedded broker's 3 s initial rebalance delay (at 2 s no member ever got
# partitions).
settings=(--set kafka.bootstrap="$addr"
  --set kafka.properties.session.timeout.ms=4000 --set kafka.properties.heartbeat.interval.ms=400
  --set encoder.model_dir="$work/model" --set encoder.n_layers_shallow=2
  --set trainer.n_targets_per_step=64 --set trainer.max_wait_ms=1000
  --set store.path="$work/store" --set checkpoints.publish_dir="$pub"
  --set checkpoints.state_dir="$state" --set checkpoints.every_steps=1 --set checkpoints.keep_versions=4
  --set runtime.progress_interval_s=1 --set admin.listen=127.0.0.1:0)

# wait_for PATTERN SECONDS: 0 once the current run's log matches, 1 on
# timeout, 2 when bahed exited.
wait_for() {
  local deadline
  now_ms; deadline=$(( NOW_MS + $2 * 1000 ))
  while ! grep -q -E -- "$1" "$log"; do
    kill -0 "$pid" 2>/dev/null || return 2
    now_ms; (( NOW_MS < deadline )) || return 1
    sleep_ms 30
  done
}

latest_version() {  # $1: publish dir (default: the daemon's); sets LATEST_V, empty without LATEST
  local dir=${1:-$pub} text
  LATEST_V=
  [ -e "$dir/LATEST" ] || return 0
  text=$(cat "$dir/LATEST")
  [[ $text =~ ^v([0-9]{6,})$ ]] || fail "LATEST holds '$text', not a version name"
  LATEST_V=$(( 10#${BASH_REMATCH[1]} ))
}

# The version a starting run must restore: the one LATEST names; without
# LATEST (the first publication was cut off before LATEST was written), the
# newest version folder, complete and verified like every folder here
# (bahed then restores the newest that verifies); none on a fresh start.
restore_point() {
  local d n
  latest_version
  START_FROM=$LATEST_V
  [ -z "$START_FROM" ] || return 0
  for d in "$pub"/v*; do
    [[ ${d##*/} =~ ^v([0-9]{6,})$ ]] || continue
    n=$(( 10#${BASH_REMATCH[1]} ))
    (( n <= ${START_FROM:-0} )) || START_FROM=$n
  done
}

# Entries of the publish and state dirs with their inodes: what a kill left
# behind is told apart from what an earlier kill did.
snapshot() { { find "$pub" "$state" -mindepth 1 -maxdepth 1 -printf '%p:%i\n' 2>/dev/null || true; } | sort; }

# Per-version facts from the manifests in $1: parent, step, targets, and
# "partition:offset,...|partition:targets:checksum,...".
declare -A v_parent v_step v_targets v_offsets
read_manifests() {
  v_parent=(); v_step=(); v_targets=(); v_offsets=()
  local version parent step targets parts
  local manifests=("$1"/v*/manifest.json)
  [ -e "${manifests[0]}" ] || return 0
  while read -r version parent step targets parts; do
    v_parent[$version]=$parent; v_step[$version]=$step; v_targets[$version]=$targets; v_offsets[$version]=$parts
  done < <(jq -r '[.version, (.parent // 0), .step, .targets_trained,
                   ([.offsets | to_entries[] | "\(.key):\(.value)"] | join(",")) + "|" +
                   ([.audit | to_entries[] | "\(.key):\(.value.targets):\(.value.checksum)"] | join(","))] | @tsv' \
             "${manifests[@]}")
}

# Cheap checks of the live dirs, in this shell: what the publish dir holds,
# LATEST's name, that it never goes back, and its training state.
ever_latest=
quick_checks() {  # $1: what just happened
  local what=$1 entry name v f
  for entry in "$pub"/* "$pub"/.[!.]*; do
    [ -e "$entry" ] || continue
    name=${entry##*/}
    case $name in
      .lock|LATEST|LATEST.tmp|.tmp-v*) ;;  # .tmp-v*: staging, or a version being deleted
      v*) [[ $name =~ ^v[0-9]{6,}$ ]] && [ -d "$entry" ] && [ ! -L "$entry" ] || fail "$what: unexpected $entry" ;;
      *) fail "$what: unexpected entry $entry in the publish dir" ;;
    esac
  done
  latest_version
  if [ -z "$LATEST_V" ]; then
    [ -z "$ever_latest" ] || fail "$what: LATEST disappeared (it named v$ever_latest)"
    return 0
  fi
  [ -z "$ever_latest" ] || (( LATEST_V >= ever_latest )) || fail "$what: LATEST went back from $ever_latest to $LATEST_V"
  ever_latest=$LATEST_V
  printf -v v 'v%06d' "$LATEST_V"
  [ -d "$pub/$v" ] && [ ! -L "$pub/$v" ] || fail "$what: LATEST names $v, which is not a version folder"
  for f in model.pt optimizer.pt trainer.pt; do
    [ -f "$state/$v/$f" ] || fail "$what: LATEST $v has no training state ($state/$v/$f missing)"
  done
}

# Every version folder in $2 holds its manifest and exactly the files it
# lists, with their sizes and sha256 (checked here with coreutils, apart
# from bahectl's verifier, and cheap enough for every kill).
verify_folders() {
  local what=$1 dir=$2 d name version want listed file size sha actual entry
  for d in "$dir"/v*; do
    [ -d "$d" ] || continue
    name=${d##*/}
    [ -f "$d/manifest.json" ] || fail "$what: $name has no manifest.json"
    version=$(jq -r .version "$d/manifest.json") || fail "$what: $name/manifest.json does not parse"
    printf -v want 'v%06d' "$version"
    [ "$want" = "$name" ] || fail "$what: $name/manifest.json describes version $version"
    listed=" manifest.json "
    while read -r file size sha; do
      listed+="$file "
      [ -f "$d/$file" ] || fail "$what: $name/$file is missing"
      actual=$(stat -c %s "$d/$file")
      [ "$actual" = "$size" ] || fail "$what: $name/$file has $actual bytes, its manifest says $size"
      actual=$(sha256sum "$d/$file")
      [ "${actual%% *}" = "$sha" ] || fail "$what: $name/$file sha256 ${actual%% *}, its manifest says $sha"
    done < <(jq -r '.files[] | "\(.name) \(.size) \(.sha256)"' "$d/manifest.json")
    for entry in "$d"/* "$d"/.[!.]*; do
      [ -e "$entry" ] || continue
      [[ $listed == *" ${entry##*/} "* ]] || fail "$what: $entry is not listed in its manifest"
    done
  done
}

# Checks of a publish dir ($3: the live one, or a copy taken while nothing
# ran): LATEST verifies (`bahectl checkpoints verify`, when $4 is 1: LATEST
# is new), every version folder verifies (verify_folders, and
# `bahectl checkpoints list` when $5 is 1: the folders changed), every
# version trained exactly the events before its offsets once, parents are
# older and behind, and LATEST descends from $2 (the version the run started
# from).
deep_checks() {
  local what=$1 start_from=$2 dir=$3 verify_latest=${4:-1} run_list=${5:-1}
  local v parent p off n sum want sum_targets offsets audit part
  latest_version "$dir"
  if [ -n "$LATEST_V" ] && (( verify_latest )); then
    "$BAHECTL" checkpoints verify --publish-dir "$dir" >"$dir.verify" 2>&1 ||
      fail "$what: LATEST (v$LATEST_V) does not verify: $(cat "$dir.verify")"
  fi
  if (( run_list )) && ! "$BAHECTL" checkpoints list --json --publish-dir "$dir" >"$dir.list" 2>&1; then
    [ -z "$(ls -d "$dir"/v* 2>/dev/null)" ] && grep -q 'no publish directory' "$dir.list" ||
      fail "$what: a version folder does not verify: $(cat "$dir.list")"
  fi
  verify_folders "$what" "$dir"
  read_manifests "$dir"
  for v in "${!v_step[@]}"; do
    parent=${v_parent[$v]}
    (( parent < v )) || fail "$what: v$v names parent $parent"
    offsets=${v_offsets[$v]%%|*}; audit=${v_offsets[$v]#*|}
    sum_targets=0
    for part in ${audit//,/ }; do
      IFS=: read -r p n sum <<<"$part"
      [[ ",$offsets," =~ ,$p:([0-9]+), ]] || fail "$what: v$v audits partition $p without an offset"
      off=${BASH_REMATCH[1]}
      (( n == off )) || fail "$what: v$v trained $n targets of partition $p, whose offsets 0..$((off - 1)) hold $off"
      printf -v want '%016x' "${checksum[off]}"
      [ "$sum" = "$want" ] || fail "$what: v$v partition $p checksum $sum, the events before offset $off give $want"
      sum_targets=$(( sum_targets + n ))
    done
    for part in ${offsets//,/ }; do
      IFS=: read -r p off <<<"$part"
      (( off == 0 )) || [[ ",$audit," == *",$p:"* ]] || fail "$what: v$v is at offset $off of partition $p without an audit"
    done
    (( sum_targets == v_targets[$v] )) || fail "$what: v$v says ${v_targets[$v]} targets, its audit $sum_targets"
    if [ -n "${v_step[$parent]:-}" ]; then
      (( v_step[$v] > v_step[$parent] && v_targets[$v] >= v_targets[$parent] )) ||
        fail "$what: v$v (step ${v_step[$v]}, ${v_targets[$v]} targets) is not ahead of its parent v$parent"
    fi
  done
  if [ -n "$LATEST_V" ] && [ -n "$start_from" ]; then
    v=$LATEST_V
    while (( v > start_from )) && [ -n "${v_parent[$v]:-}" ]; do v=${v_parent[$v]}; done
    (( v <= start_from )) && (( v != start_from )) &&
      fail "$what: LATEST v$LATEST_V descends from v$v, not from v$start_from, which the run started from"
  fi
  return 0
}

# The deep checks of kill k run in the background on a copy of the publish
# dir, while the next run starts (and mostly waits for the group).
check_pid=
check_k=
verified_latest=
listed_folders=
collect_checks() {
  [ -n "$check_pid" ] || return 0
  local ok=0
  wait "$check_pid" || ok=$?
  check_pid=
  if (( ok != 0 )); then cat "$work/check.$check_k.out"; log='' fail "checks after kill $check_k failed (above)"; fi
  rm -rf "$work/snap.$check_k" "$work/snap.$check_k".*
}

# A balanced deck of aims, shuffled by the seed: start-up, joining, consuming
# (just after the assignment), training, publishing.
deck=()
for (( i = 0; i < N_KILLS; i++ )); do
  case $(( i % 8 )) in
    0) deck+=(startup) ;; 1) deck+=(joining) ;; 2|5) deck+=(consuming) ;; 3|6) deck+=(training) ;; *) deck+=(publishing) ;;
  esac
done
for (( i = N_KILLS - 1; i > 0; i-- )); do
  rand 0 "$i"; tmp=${deck[i]}; deck[i]=${deck[R]}; deck[R]=$tmp
done

declare -A landed_count
n_publication=0
n_encoding=0
for (( k = 1; k <= N_KILLS; k++ )); do
  aim=${deck[k - 1]}
  latest_version
  before=$LATEST_V
  restore_point
  start_from=$START_FROM
  snapshot >"$work/snap.before"
  log=$work/log.$k
  "$BAHED" "${settings[@]}" >"$log" 2>&1 &
  pid=$!
  now_ms; t0=$NOW_MS
  note=
  assigned=
  case $aim in
    startup) rand 0 400 ;;
    joining)
      wait_for 'consumer_started' 60 || fail "kill $k: no consumer_started in 60 s (exit or hang)"
      rand 0 1500 ;;
    consuming|training|publishing)
      wait_for 'partitions_assigned' 60 || fail "kill $k: partitions not assigned in 60 s (exit or hang)"
      now_ms; assigned=" (assigned at $(( NOW_MS - t0 )) ms)"
      case $aim in
        consuming) rand 0 600 ;;
        # Once the run has published, so the lineage moves on between kills.
        training)
          wait_for 'trainer checkpoint_published' 60 || fail "kill $k: no version within 60 s of the assignment"
          now_ms; assigned+=" (published at $(( NOW_MS - t0 )) ms)"
          rand 0 1500 ;;
        publishing) rand 0 800 ;;
      esac ;;
  esac
  sleep_ms "$R"
  if [ "$aim" = publishing ]; then
    # Armed: kill on the first sign of a publication (the state save
    # changes the state dir; the version is staged in .tmp-v*), plus 0-40
    # ms so the kill spreads over the save, staging, rename, LATEST and
    # retention.
    touch "$work/armed"
    now_ms; deadline=$(( NOW_MS + 10000 ))
    until [[ "$state" -nt "$work/armed" ]] || compgen -G "$pub/.tmp-v*" >/dev/null; do
      kill -0 "$pid" 2>/dev/null || fail "kill $k: bahed exited while armed"
      now_ms; (( NOW_MS < deadline )) || { note=" (no publication seen in 10 s)"; break; }
      sleep_ms 3
    done
    rand 0 40; sleep_ms "$R"
  fi
  kill -0 "$pid" 2>/dev/null || fail "kill $k: bahed exited by itself before the kill"
  kill -KILL "$pid"
  now_ms; delay=$(( NOW_MS - t0 ))
  wait "$pid" 2>/dev/null || true
  pid=
  now_ms; (( NOW_MS - t0 - delay < 500 )) || note+=" (died $(( NOW_MS - t0 - delay )) ms after the signal)"
  snapshot >"$work/snap.after"

  # Where the kill landed: a publication left something new on disk, or
  # moved LATEST without logging it; otherwise the log's progress says.
  latest_version
  fresh=$(comm -13 "$work/snap.before" "$work/snap.after" | cut -d: -f1 | sed 's|.*/||' | tr '\n' ' ')
  evidence=
  for name in $fresh; do
    case $name in
      .tmp-v*-deleted-*) evidence+=" retention:$name" ;;
      .tmp-v*) evidence+=" staging:$name" ;;
      LATEST.tmp) evidence+=" LATEST.tmp" ;;
      v*.tmp|v*.old) evidence+=" state-save:$name" ;;
    esac
  done
  for entry in $(comm -13 "$work/snap.before" "$work/snap.after" | cut -d: -f1); do
    name=${entry##*/}
    [[ $name =~ ^v([0-9]{6,})$ ]] || continue
    v=$(( 10#${BASH_REMATCH[1]} ))
    if [ -z "$LATEST_V" ] || (( v > LATEST_V )); then
      [ "${entry%/*}" = "$pub" ] && evidence+=" renamed-not-latest:$name" || evidence+=" state-saved:$name"
    fi
  done
  if [ -n "$LATEST_V" ] && [ "$LATEST_V" != "$before" ] &&
     ! grep -q "trainer checkpoint_published version=$LATEST_V " "$log"; then
    evidence+=" latest-moved-unlogged:$LATEST_V"
  fi
  last_progress=$(grep ' progress ' "$log" | tail -n 1 || true)
  # Encoding at the kill: the encoder's count grew over the last progress
  # interval (new behaviors arrive with the replay; replayed ones hit the store).
  encoding=
  read -r enc_prev enc_last < <(grep ' progress ' "$log" | grep -o 'encoded=[0-9]*' | tail -n 2 |
                                 cut -d= -f2 | tr '\n' ' '; echo) || true
  [ -n "${enc_last:-}" ] || { enc_last=${enc_prev:-0}; enc_prev=0; }
  if (( ${enc_last:-0} > ${enc_prev:-0} )); then encoding=+encoding; n_encoding=$(( n_encoding + 1 )); fi
  if [ -n "$evidence" ]; then
    landed=publishing; n_publication=$(( n_publication + 1 ))
  elif ! grep -q 'consumer_started' "$log"; then
    landed=startup
  elif ! grep -q 'partitions_assigned' "$log"; then
    landed=joining
  elif ! grep -q 'trainer checkpoint_published' "$log" && [[ ! $last_progress =~ \ steps=[1-9] ]]; then
    landed=consuming
  else
    landed=training
  fi
  landed_count[$landed]=$(( ${landed_count[$landed]:-0} + 1 ))
  restored=$(grep -o -E 'restored version=[0-9]+|fresh_start' "$log" | head -n 1 || true)
  last=$(tail -n 1 "$log" | awk '{print $3, $4}')
  n_published=$(grep -c 'trainer checkpoint_published' "$log" || true)
  printf 'kill %2d/%d aim=%-10s landed=%-19s after %5d ms%s%s: %s, last line "%s", %d published, LATEST %s%s\n' \
    "$k" "$N_KILLS" "$aim" "$landed$encoding" "$delay" "$assigned" "$note" "${restored:-(before restore)}" "$last" "$n_published" \
    "${LATEST_V:-none}" "${evidence:+, in publication:$evidence}"
  [ -n "$last_progress" ] && echo "          $(grep -o -E 'consumed=[0-9]+|encoded=[0-9]+|trained=[0-9]+|steps=[0-9]+' <<<"$last_progress" | tr '\n' ' ')"

  # The run continued from what LATEST named when it started.
  case $restored in
    fresh_start) [ -z "$start_from" ] || fail "kill $k: fresh start, but v$start_from was published" ;;
    restored*) [ "${restored#restored version=}" = "$start_from" ] ||
      fail "kill $k: $restored, expected v${start_from:-none} (LATEST: ${before:-none})" ;;
  esac
  quick_checks "after kill $k"
  collect_checks
  check_k=$k
  if [ -d "$pub" ]; then
    cp -a "$pub" "$work/snap.$k"
    verify_latest=0
    [ "$LATEST_V" = "$verified_latest" ] || { verify_latest=1; verified_latest=$LATEST_V; }
    folders=$(find "$pub" -mindepth 1 -maxdepth 1 -name 'v*' -printf '%f:%i ' | sort)
    run_list=0
    [ "$folders" = "$listed_folders" ] || { run_list=1; listed_folders=$folders; }
    ( log=''; deep_checks "after kill $k" "$start_from" "$work/snap.$k" "$verify_latest" "$run_list" ) \
      >"$work/check.$k.out" 2>&1 &
    check_pid=$!
  fi
done
collect_checks

wait "$replay_pid" || fail "replay failed: $(tail -n 3 "$work/replay.log")"
replay_pid=
tail -n 1 "$work/replay.log"

now_ms
t_kills=$(( (NOW_MS - t_start) / 1000 ))

# The last run drains the log and stops once idle; a hang fails the test.
# Nothing kills it, so it publishes less often.
restore_point
start_from=$START_FROM
log=$work/log.final
"$BAHED" "${settings[@]}" --set checkpoints.every_steps=40 --set runtime.stop_when_idle_s=4 >"$log" 2>&1 &
pid=$!
now_ms; deadline=$(( NOW_MS + 180000 ))
while kill -0 "$pid" 2>/dev/null; do
  now_ms; (( NOW_MS < deadline )) || fail "the final run did not stop within 180 s"
  sleep_ms 200
done
wait "$pid" || fail "the final run exited non-zero"
pid=
quick_checks "after the final run"
grep -q "restored version=$start_from " "$log" || fail "the final run did not restore v$start_from"
deep_checks "after the final run" "$start_from" "$pub"
grep 'trainer_summary' "$log" || true

latest_version
[ -n "$LATEST_V" ] || fail "no LATEST after the final run"
(( v_targets[$LATEST_V] == N_EVENTS )) || fail "LATEST v$LATEST_V trained ${v_targets[$LATEST_V]} targets, the log holds $N_EVENTS"
printf -v latest_name 'v%06d' "$LATEST_V"
set +e
"$BAHECTL" audit "${settings[@]}" --bootstrap "$addr" >"$work/audit.txt" 2>&1
audit_rc=$?
set -e
cat "$work/audit.txt"
(( audit_rc == 0 )) || fail "bahectl audit exited $audit_rc"
grep -q "^version $pub/$latest_name:" "$work/audit.txt" || fail "the audit did not check LATEST ($latest_name)"
grep -q '^exactly once' "$work/audit.txt" || fail "the audit did not report exactly once"
grep -q ' 0 wrong' "$work/audit.txt" || fail "the audit found histories holding a behavior twice or not at all"

restores=$(cat "$work"/log.* | grep -o 'restored version=[0-9]*' | sort -u | wc -l)
(( restores >= 3 )) || fail "expected restores from at least 3 different versions, saw $restores"
(( n_publication >= 1 )) || fail "no kill landed during a publication"
now_ms
phases=
for p in startup joining consuming training publishing; do phases+=" $p=${landed_count[$p]:-0}"; done
echo "kill_storm_test: ok seed=$SEED kills=$N_KILLS during_publication=$n_publication while_encoding=$n_encoding" \
     "distinct_restores=$restores" \
     "landed:$phases final=$latest_name kills_s=$t_kills total_s=$(( (NOW_MS - t_start) / 1000 ))"
