#!/usr/bin/env bash
# scripts/bench ingest: medtrail vs etcd ingest on this machine, in one run, alternating.
#
#   scripts/bench ingest [--rounds N] [--duration S] [--no-sweep] [--sweep-rate R] [--keep]
#   scripts/bench ingest --profile [--concurrency C] [--perf-hz F] [--duration S] [--keep]
#   scripts/bench ingest --sustained [--minutes M] [--fraction F | --rate R] [--concurrency C] [--keep]
#
# --profile runs no comparison: one cluster, one closed-loop run at C connections (default 64)
# under `perf record` on every node, and where each node's CPU per record went
# (scripts/bench-ingest/profile.sh).
# --sustained runs no comparison either: one cluster, its peak at C connections (default 256),
# then an open loop at F (default 0.8) of it for M minutes (default 10) with memory and RocksDB
# sampled, and verify-chain on every node afterwards (scripts/bench-ingest/sustained.sh). A short
# run's peak varies from one run to the next by a tenth or more, so --rate R offers R records/s
# instead: two builds compared at the same load.
# Otherwise:
#
# 1. the raw limit: Ed25519 verifications/s on every core (`medtrail load --verify-limit`);
# 2. a 3-node medtrail cluster (fsync on) and a 3-member etcd 3.4 cluster, both on loopback in
#    one temp dir; per round: medtrail 64, etcd 64, medtrail 256, etcd 256 (closed loop), then
#    medtrail open loop at 50% of the peak it just reached, at 64 and 256;
# 3. unless --no-sweep, node settings (batch_linger_us, max_batch_records, checkpoint_every,
#    max_proposals_in_flight),
#    each on a fresh cluster: medtrail 64 and 256 closed loop, 64 open loop at --sweep-rate
#    (default 1000 records/s).
# Every run is one JSON line in $out/results.jsonl; tabulate.py prints the medians and ratios.
#
# Environment: MEDTRAIL_BIN_DIR (a build tree or a directory holding medtrail and
# medtrail-node; default: scripts/build into build/), MEDTRAIL_BENCH_OUT (results directory,
# default /tmp/medtrail-bench-ingest-<time>). Clusters are stopped and their temp dir removed
# on exit, also on failure or Ctrl-C (--keep leaves the temp dir for inspection).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
here=$repo/scripts/bench-ingest
rounds=3
duration=10
sweep=1
sweep_rate=1000
keep=0
profile=0
sustained=0
minutes=10
fraction=0.8
rate=0
fraction_given=0
rate_given=0
sustained_only=  # the last option given that only --sustained reads
concurrency=
perf_hz=199
usage() {
  echo "usage: scripts/bench ingest [--rounds N] [--duration S] [--no-sweep] [--sweep-rate R] [--keep]" >&2
  echo "       scripts/bench ingest --profile [--concurrency C] [--perf-hz F] [--duration S] [--keep]" >&2
  echo "       scripts/bench ingest --sustained [--minutes M] [--fraction F | --rate R] [--concurrency C] [--keep]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds|--duration|--sweep-rate|--minutes|--fraction|--rate|--concurrency|--perf-hz)
      [ $# -ge 2 ] || { echo "scripts/bench ingest: $1 takes a value" >&2; usage; } ;;
  esac
  case "$1" in
    --rounds) rounds=$2; shift ;;
    --duration) duration=$2; shift ;;
    --no-sweep) sweep=0 ;;
    --sweep-rate) sweep_rate=$2; shift ;;
    --keep) keep=1 ;;
    --profile) profile=1 ;;
    --sustained) sustained=1 ;;
    --minutes) minutes=$2; sustained_only=$1; shift ;;
    --fraction) fraction=$2; fraction_given=1; sustained_only=$1; shift ;;
    --rate) rate=$2; rate_given=1; sustained_only=$1; shift ;;
    --concurrency) concurrency=$2; shift ;;
    --perf-hz) perf_hz=$2; shift ;;
    *) usage ;;
  esac
  shift
done
[[ "$minutes" =~ ^[1-9][0-9]*$ ]] ||
  { echo "scripts/bench ingest: --minutes takes a whole number above 0" >&2; exit 2; }
[ $rate_given = 0 ] || [[ "$rate" =~ ^[1-9][0-9]*$ ]] ||
  { echo "scripts/bench ingest: --rate takes a whole number of records/s above 0" >&2; exit 2; }
[ $sustained = 1 ] || [ -z "$sustained_only" ] ||
  { echo "scripts/bench ingest: $sustained_only is for --sustained" >&2; exit 2; }
[ $rate_given = 0 ] || [ $fraction_given = 0 ] ||
  { echo "scripts/bench ingest: --fraction or --rate, not both" >&2; exit 2; }

bench_name=ingest
# shellcheck source=../bench-common.sh
. "$repo/scripts/bench-common.sh"

# ---- tools and binaries ---------------------------------------------------------------------

if [ $profile = 1 ] || [ $sustained = 1 ]; then
  bench_need curl:curl jq:jq  # medtrail alone
else
  bench_need etcd:etcd-server wrk:wrk curl:curl jq:jq
fi
jq -en --argjson f "$fraction" '$f > 0 and $f <= 1' >/dev/null 2>&1 ||
  die "--fraction is a number above 0 and at most 1 (0.8), not $fraction"

find_binary() {  # NAME DIR: flat or build tree
  local sub=client
  [ "$1" = medtrail-node ] && sub=node
  for c in "$2/$1" "$2/$sub/$1"; do [ -x "$c" ] && { echo "$c"; return 0; }; done
  return 1
}
if [ -n "${MEDTRAIL_BIN_DIR:-}" ]; then
  bin_dir=$MEDTRAIL_BIN_DIR
else
  "$repo/scripts/build" -- medtrail medtrail-node >&2
  bin_dir=$repo/build
fi
medtrail=$(find_binary medtrail "$bin_dir") || die "no medtrail in $bin_dir"
node_bin=$(find_binary medtrail-node "$bin_dir") || die "no medtrail-node in $bin_dir"

# ---- temp dir, results, cleanup (scripts/bench-common.sh) -----------------------------------

bench_workspace

# COUNT consecutive free loopback ports; prints the first.
free_port_base() {
  python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(1000):
    base = random.randint(20000, 60000 - n)
    socks = []
    try:
        for p in range(base, base + n):
            s = socket.socket(); s.bind(("127.0.0.1", p)); socks.append(s)
    except OSError:
        continue
    finally:
        for s in socks: s.close()
    print(base); sys.exit(0)
sys.exit("no free ports")
PY
}

# CPU seconds (user + system) used so far by the processes PID...
cpu_seconds() {
  local pid ticks=0 hz
  hz=$(getconf CLK_TCK)
  for pid in "$@"; do
    # Fields 14 and 15 of /proc/PID/stat, counted after the ")" closing the command name.
    ticks=$((ticks + $(sed -E 's/^.*\) //' "/proc/$pid/stat" | awk '{print $12 + $13}')))
  done
  awk -v t="$ticks" -v hz="$hz" 'BEGIN {printf "%.3f", t / hz}'
}

# with_cpu JSON-LINE BEFORE AFTER: adds server_cpu_s and server_cpu_ms_per_record.
with_cpu() {
  jq -c --argjson before "$2" --argjson after "$3" \
    '. + {server_cpu_s: (($after - $before) * 1000 | round / 1000),
          server_cpu_ms_per_record: (if .committed > 0
            then (($after - $before) * 1e6 / .committed | round / 1000) else null end)}' <<<"$1"
}

# record SYSTEM ROUND SETTING JSON-LINE: appends the run with its labels.
record() {
  jq -c --arg system "$1" --argjson round "$2" --arg setting "$3" \
    '. + {system: $system, round: $round, setting: $setting}' <<<"$4" | tee -a "$results" >&2
}

source "$here/medtrail-cluster.sh"
source "$here/etcd-cluster.sh"
source "$here/profile.sh"
source "$here/sustained.sh"

# ---- the runs -------------------------------------------------------------------------------

machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(. /etc/os-release; echo "$PRETTY_NAME")"
say "machine: $machine; load: $(cut -d' ' -f1-3 /proc/loadavg); results in $out"
jq -nc --arg machine "$machine" --arg date "$(date -u +%FT%TZ)" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
  --arg etcd "$(command -v etcd >/dev/null && etcd --version | head -1)" --argjson rounds "$rounds" --argjson duration "$duration" \
  '{system: "meta", machine: $machine, date: $date, load: $load, etcd: $etcd, rounds: $rounds, duration_s: $duration}' >>"$results"

say "raw limit: Ed25519 verifications/s on all cores"
record verify 0 - "$("$medtrail" load --verify-limit --verify-seconds 5)"

# Pre-signed supply of a closed-loop run: 5k records/s, or 3x the best rate seen so far.
# Signing takes a few seconds before the clock starts; a run that used every record says so
# on stderr ("raise --records") and in $work/load.log.
closed_records_file=$work/closed-records
echo $((5000 * duration)) >"$closed_records_file"
medtrail_run() {  # ROUND SETTING CONCURRENCY [RATE]
  local rate=${4:-0} line supply cpu_before
  supply=$(cat "$closed_records_file")
  cpu_before=$(cpu_seconds "${medtrail_pids[@]}")
  line=$("$medtrail" load "${medtrail_urls[@]/#/--url=}" --key "$medtrail_key" \
    --concurrency "$3" --duration "$duration" --rate "$rate" \
    $([ "$rate" = 0 ] && echo --records="$supply") 2>>"$work/load.log") ||
    die "medtrail load failed: $(tail -3 "$work/load.log")"
  line=$(with_cpu "$line" "$cpu_before" "$(cpu_seconds "${medtrail_pids[@]}")")
  record medtrail "$1" "$2" "$line"
  medtrail_check_alive
  jq -r --argjson s "$supply" --argjson d "$duration" \
    '[$s, (.records_per_s * 3 * $d | ceil)] | max' <<<"$line" >"$closed_records_file"
  echo "$line"
}
half() { jq -n --argjson peak "$1" '[$peak / 2 | floor, 1] | max'; }

if [ $profile = 1 ]; then
  profile_ingest "${concurrency:-64}" "$perf_hz"
  exit 0
fi
if [ $sustained = 1 ]; then
  sustained_ingest "$minutes" "$fraction" "${concurrency:-256}" "$rate"
  exit 0
fi

etcd_start
medtrail_start default
for round in $(seq 1 "$rounds"); do
  say "round $round/$rounds"
  peak64=$(medtrail_run "$round" default 64 | jq .records_per_s)
  record etcd "$round" default "$(etcd_run 64 "r$round-c64")"
  peak256=$(medtrail_run "$round" default 256 | jq .records_per_s)
  record etcd "$round" default "$(etcd_run 256 "r$round-c256")"
  medtrail_run "$round" default 64 "$(half "$peak64")" >/dev/null
  medtrail_run "$round" default 256 "$(half "$peak256")" >/dev/null
done
medtrail_metrics default >>"$results"
medtrail_stop
etcd_stop

if [ $sweep = 1 ]; then
  # NAME [LIMIT=VALUE...]; the defaults are batch_linger_us=2000, max_batch_records=2000,
  # checkpoint_every=1, max_proposals_in_flight=2. The open-loop run offers the same rate to
  # every setting, so latencies compare; it is about half of what this machine reached closed
  # loop.
  for setting in "linger500 batch_linger_us=500" "linger2000" "linger5000 batch_linger_us=5000" \
                 "batch500 max_batch_records=500" "checkpoint10 checkpoint_every=10" \
                 "inflight1 max_proposals_in_flight=1" "inflight8 max_proposals_in_flight=8"; do
    read -r -a words <<<"$setting"
    say "setting ${words[*]}"
    medtrail_start "${words[@]}"
    medtrail_run 1 "${words[0]}" 64 >/dev/null
    medtrail_run 1 "${words[0]}" 256 >/dev/null
    medtrail_run 1 "${words[0]}" 64 "$sweep_rate" >/dev/null
    medtrail_metrics "${words[0]}" >>"$results"
    medtrail_stop
  done
fi

medtrail_log_summary >&2
python3 "$here/tabulate.py" "$results" | tee "$out/table.md"
say "results: $results, table: $out/table.md"
