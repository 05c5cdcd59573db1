#!/usr/bin/env bash
# scripts/bench abuse: public lookups of well-behaved clients while an abusive client floods the
# public listener with idle and slow connections, against the same without the flood, in one run.
#
#   scripts/bench abuse [--records N] [--duration S] [--rounds R] [--connections C]
#                       [--idle I] [--slowloris S] [--slow-body B] [--cap-slowloris N] [--lead S]
#                       [--reconnect-ms MS] [--cap-reconnect-ms MS] [--clients K]
#                       [--floods none,many,one,cap] [--keep]
#
# `lookup_bench serve --public --control` (tests/bench/lookup) fills a single-node stack with N
# tableware batches (default 100000) and opens, beside its own listeners, a public listener with
# the public defaults (node_config.cpp public_listener_defaults(): 1,024 connections, 16 per
# address, 20 requests/s per address, burst 40; head 5 s, idle 10 s, request 10 s) and a control
# listener without those defences (no share per address, no request rate, deadlines at their
# maxima; the cap and the closing of idle connections near it cannot be turned off).
#
# Well-behaved clients: wrk -t2 -cC (default 64) from 127.0.0.1, random codes of the store
# (scripts/bench-lookup/requests.lua), as a proxy in front of the node would send them: 127.0.0.1
# is the listeners' trusted proxy (exempt from the connection share) and each request names one
# of K clients (default 65536) in X-Forwarded-For, so the per-address rates ([public] 20/s, the
# lookup's 300/min) apply per client as deployed and do not bind. The lookup floor is as deployed
# (3 ms).
#
# The flood (tests/bench/abuse, abuse_flood), each connection reopened --reconnect-ms (default
# 1000) after the server cuts it, started --lead seconds (default 5) before wrk so it is at full
# strength:
#   many: I idle (default 1500), S slowloris (default 200) and B slow-body (default 50)
#         connections from 127.0.0.2..127.0.0.254 round-robin (the per-address share does not
#         bind: the cap, the closing of idle connections near it and the deadlines must hold);
#   one:  the same, all from 127.0.0.2 (the per-address share must hold);
#   cap:  N slowloris (default 1100, beyond the 1,024 cap) from the 253 addresses, reopened
#         --cap-reconnect-ms (default 100) after a cut: connections that are idle only until
#         their first byte is read, so eviction has next to nothing of the flood's to close.
#
# Each round, per listener (public, control): calm (none), many, one, cap (--floods); --duration
# (default 10) seconds of wrk each. Per phase: wrk's rate and latency; newcomers: meanwhile a
# citizen's lookup on a new connection (curl from 127.0.1.1, 2 s at most) every half second,
# answered or not; what the flood held; and the listener's counters from the node's /metrics
# (refused by reason, evicted, timed out by phase, 429s, open connections sampled each second). Every phase is one JSON line in $out/results.jsonl;
# tabulate.py prints the table.
#
# Environment: MEDTRAIL_BIN_DIR (a build tree holding tests/lookup_bench and tests/abuse_flood;
# default: scripts/build into build/), MEDTRAIL_BENCH_OUT (results directory, default
# /tmp/medtrail-bench-abuse-<time>).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
here=$repo/scripts/bench-abuse
records=100000
duration=10
rounds=2
connections=64
idle=1500
slowloris=200
slow_body=50
cap_slowloris=1100
lead=5
reconnect_ms=1000
cap_reconnect_ms=100
clients=65536
floods=none,many,one,cap
keep=0
usage="usage: scripts/bench abuse [--records N] [--duration S] [--rounds R] [--connections C] [--idle I] [--slowloris S] [--slow-body B] [--cap-slowloris N] [--lead S] [--reconnect-ms MS] [--cap-reconnect-ms MS] [--clients K] [--floods none,many,one,cap] [--keep]"
while [ $# -gt 0 ]; do
  case "$1" in
    --records) records=$2; shift ;;
    --duration) duration=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --connections) connections=$2; shift ;;
    --idle) idle=$2; shift ;;
    --slowloris) slowloris=$2; shift ;;
    --slow-body) slow_body=$2; shift ;;
    --cap-slowloris) cap_slowloris=$2; shift ;;
    --lead) lead=$2; shift ;;
    --reconnect-ms) reconnect_ms=$2; shift ;;
    --cap-reconnect-ms) cap_reconnect_ms=$2; shift ;;
    --clients) clients=$2; shift ;;
    --floods) floods=$2; shift ;;
    --keep) keep=1 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
  shift
done

bench_name=abuse
# shellcheck source=../bench-common.sh
. "$repo/scripts/bench-common.sh"
for flood in ${floods//,/ }; do
  case "$flood" in none | many | one | cap) ;; *) die "unknown flood $flood (--floods: none,many,one,cap)" ;; esac
done

bench_need wrk:wrk curl:curl jq:jq

if [ -n "${MEDTRAIL_BIN_DIR:-}" ]; then
  bin_dir=$MEDTRAIL_BIN_DIR
else
  "$repo/scripts/build" -- lookup_bench abuse_flood >&2
  bin_dir=$repo/build
fi
find_bin() {  # NAME: the executable in the build tree
  local c
  for c in "$bin_dir/$1" "$bin_dir/tests/$1"; do [ -x "$c" ] && echo "$c" && return 0; done
  die "no $1 in $bin_dir"
}
bench=$(find_bin lookup_bench)
flooder=$(find_bin abuse_flood)

# Every process here holds up to a few thousand sockets.
ulimit -n "$(ulimit -Hn)"

stop_wait_s=30
bench_workspace

machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(. /etc/os-release; echo "$PRETTY_NAME")"
say "machine: $machine; load: $(cut -d' ' -f1-3 /proc/loadavg); results in $out"
jq -nc --arg machine "$machine" --arg date "$(date -u +%FT%TZ)" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
  --arg wrk "$(wrk -v 2>&1 | head -1)" --argjson duration "$duration" --argjson connections "$connections" \
  --argjson idle "$idle" --argjson slowloris "$slowloris" --argjson slow_body "$slow_body" \
  --argjson cap_slowloris "$cap_slowloris" \
  --argjson lead "$lead" --argjson reconnect_ms "$reconnect_ms" \
  --argjson cap_reconnect_ms "$cap_reconnect_ms" --argjson clients "$clients" \
  --argjson records "$records" --arg nofile "$(ulimit -n)" \
  '{run: "meta", machine: $machine, date: $date, load: $load, wrk: $wrk, duration_s: $duration,
    connections: $connections, idle: $idle, slowloris: $slowloris, slow_body: $slow_body,
    cap_slowloris: $cap_slowloris, lead_s: $lead, reconnect_ms: $reconnect_ms,
    cap_reconnect_ms: $cap_reconnect_ms, clients: $clients, records: $records, nofile: $nofile}' \
  >>"$results"

# ---- the node -------------------------------------------------------------------------------

dir=$work/node
mkdir -p "$dir"
say "store of $records tableware batches: filling (lookup_bench serve --public --control)"
# The lookup's own limit as deployed (300/min, burst 30 per client): the clients of
# X-Forwarded-For stay far under it.
"$bench" serve --out "$dir" --records "$records" --lookups-per-minute 300 --lookup-burst 30 \
  --public --control --trusted-proxy 127.0.0.1 --max-seconds 14400 >"$work/harness.log" 2>&1 &
harness_pid=$!
pids+=("$harness_pid")
while [ ! -s "$dir/port" ]; do
  kill -0 "$harness_pid" 2>/dev/null || die "lookup_bench exited: $(tail -5 "$work/harness.log")"
  sleep 1
done
say "  filled: $(cat "$dir/fill.json")"
jq -c '{run: "fill"} + .' "$dir/fill.json" >>"$results"
codes=$dir/tableware-codes

# ---- one phase ------------------------------------------------------------------------------

# counters PORT: the public listener's counters in the node's /metrics on PORT, as JSON:
# connections_open, connections_refused.server_full, connections_timed_out.head, ...
counters() {
  curl -s "http://127.0.0.1:$1/metrics" | awk '
    $1 ~ /^medtrail_http_/ && $1 ~ /listener="public"/ {
      name = $1
      sub(/^medtrail_http_/, "", name)
      sub(/_total/, "", name)
      label = ""
      if (match(name, /(reason|phase)="[a-z_]*"/)) {
        label = substr(name, RSTART, RLENGTH)
        sub(/^[a-z]*="/, "", label)
        sub(/"$/, "", label)
      }
      sub(/\{.*/, "", name)
      print name (label != "" ? "." label : "") "\t" $2
    }' | jq -Rn '[inputs | split("\t") | {key: .[0], value: (.[1] | tonumber)}] | from_entries'
}

# sample_open PORT FILE: the listener's open connections, once a second, until killed.
sample_open() {
  while true; do
    curl -s "http://127.0.0.1:$1/metrics" |
      awk '/^medtrail_http_connections_open\{listener="public"\}/ {print $2}' >>"$2" || true
    sleep 1
  done
}

# newcomers PORT SECONDS FILE: a citizen's lookups, each on a new connection from 127.0.1.1 (neither
# the proxy nor the flood), one every half second for SECONDS; "status seconds" lines in FILE.
newcomers() {
  local end=$((SECONDS + $2)) code
  while [ $SECONDS -lt "$end" ]; do
    code=$(shuf -n 1 "$codes")
    curl -s -o /dev/null -m 2 --interface 127.0.1.1 -w '%{http_code} %{time_total}\n' \
      "http://127.0.0.1:$1/v1/trace/tableware/$code" >>"$3" || true
    sleep 0.5
  done
}

# phase ROUND LISTENER FLOOD: wrk against LISTENER (public, control), FLOOD none, many, one, cap.
phase() {
  local round=$1 listener=$2 flood=$3 port metrics before after wrk_line flood_line=null flood_pid='' sampler
  local prober
  port=$(cat "$dir/port-$listener")
  metrics=$(cat "$dir/port-$listener-metrics")
  before=$(counters "$metrics")
  : >"$work/open.samples"
  sample_open "$metrics" "$work/open.samples" &
  sampler=$!
  pids+=("$sampler")
  if [ "$flood" != none ]; then
    local shape=(--idle "$idle" --slowloris "$slowloris" --slow-body "$slow_body" --from "$flood"
      --reconnect-ms "$reconnect_ms")
    [ "$flood" = cap ] &&
      shape=(--idle 0 --slowloris "$cap_slowloris" --from many --reconnect-ms "$cap_reconnect_ms")
    "$flooder" --port "$port" --duration $((lead + duration + 1)) "${shape[@]}" \
      >"$work/flood.out" 2>>"$work/flood.log" &
    flood_pid=$!
    pids+=("$flood_pid")
    sleep "$lead"
  fi
  : >"$work/newcomers"
  newcomers "$port" "$duration" "$work/newcomers" &
  prober=$!
  pids+=("$prober")
  wrk_line=$(LOOKUP_CLIENTS=$clients wrk -t2 -c"$connections" -d"${duration}s" --timeout 15s \
    -s "$repo/scripts/bench-lookup/requests.lua" "http://127.0.0.1:$port" -- codes "$codes" /v1/trace/tableware/ \
    2>>"$work/wrk.log" | tee -a "$work/wrk.log" | tail -1)
  if [ -n "$flood_pid" ]; then
    wait "$flood_pid" || die "abuse_flood failed: $(tail -3 "$work/flood.log")"
    stop_pids "$flood_pid"  # only forgets it: it has exited
    flood_line=$(tail -1 "$work/flood.out")
  fi
  stop_pids "$sampler"
  wait "$prober" || true
  stop_pids "$prober"  # only forgets it: it has exited
  # Let the flood's last connections be cut, so the counters include them.
  [ "$flood" != none ] && sleep 1
  after=$(counters "$metrics")
  local open_json newcomers_json
  open_json=$(jq -s '{open_mean: (if length > 0 then add / length else 0 end), open_max: (max // 0)}' \
    "$work/open.samples")
  newcomers_json=$(jq -Rs '[split("\n")[] | select(length > 0) | split(" ")] as $all
    | ($all | map(select(.[0] == "200") | .[1] | tonumber * 1000) | sort) as $ok
    | {attempts: ($all | length), answered: ($ok | length),
       p50_ms: (if ($ok | length) > 0 then $ok[$ok | length / 2 | floor] else null end)}' "$work/newcomers")
  jq -c --argjson round "$round" --arg listener "$listener" --arg flood "$flood" \
    --argjson flood_report "$flood_line" --argjson before "$before" --argjson after "$after" \
    --argjson open "$open_json" --argjson newcomers "$newcomers_json" \
    '{run: "phase", round: $round, listener: $listener, flood: $flood} + . +
     {flood_report: $flood_report, newcomers: $newcomers,
      server: (($after | with_entries(.value -= ($before[.key] // 0)) | del(.connections_open))
               + $open + {open_at_start: $before.connections_open})}' \
    <<<"$wrk_line" >>"$results"
  say "  $listener, flood $flood: $(jq -r '"\(.records_per_s | floor)/s, p50 \(.p50_ms) ms, p99 \(.p99_ms) ms, non-2xx \(.errors.non2xx), socket errors \(.errors.connect + .errors.read + .errors.write + .errors.timeout)"' <<<"$wrk_line"); newcomers answered $(jq -r '"\(.answered)/\(.attempts)"' <<<"$newcomers_json")"
}

say "  warm-up (5 s of lookups on the public listener)"
LOOKUP_CLIENTS=$clients wrk -t2 -c"$connections" -d5s -s "$repo/scripts/bench-lookup/requests.lua" \
  "http://127.0.0.1:$(cat "$dir/port-public")" -- codes "$codes" /v1/trace/tableware/ >/dev/null 2>&1
for round in $(seq 1 "$rounds"); do
  say "round $round/$rounds: $idle idle + $slowloris slowloris + $slow_body slow-body connections (many, one), $cap_slowloris slowloris (cap, reopened after ${cap_reconnect_ms} ms); wrk -c$connections ${duration}s"
  for listener in public control; do
    for flood in ${floods//,/ }; do
      phase "$round" "$listener" "$flood"
    done
  done
done
stop_pids "$harness_pid"

python3 "$here/tabulate.py" "$results" | tee "$out/table.md"
say "results: $results, table: $out/table.md"
