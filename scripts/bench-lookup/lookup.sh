#!/usr/bin/env bash
# scripts/bench lookup: the read side of one node, in one run per store size.
#
#   scripts/bench lookup [--records N[,N...]] [--duration S] [--rounds R] [--floor-us F]
#                        [--connections C] [--keep]
#
# Per store size N (default 100000,1000000): `lookup_bench serve` (tests/bench/lookup) fills a
# real single-node stack with N tableware batches and N/20 prescriptions through admission, then
# serves it on 127.0.0.1. Against it, with wrk (scripts/bench-lookup/requests.lua):
# 1. the citizen's lookup GET /v1/trace/tableware/{code} over random codes of the store, with
#    the floor as deployed (--floor-us, default 3000 µs) and with floor 0 (a second listener of
#    the same node), beside nginx serving a file of the same bytes as one lookup answer; then
#    each lookup variant paced to half its peak rate (p99 there is the goal's figure);
# 2. the node's own ingest (POST /v1/records?wait=commit, a new tableware batch each) and a
#    pharmacist's signed verifications (GET /v1/prescriptions/{id}, each commits an
#    access.query), alternating, requests signed before the clock starts;
# 3. audit: the first page of the largest trail (org/disinf-d, N+ rows), a record committed
#    alone (what every recorded read waits for), and the trail's first 100,000 rows as CSV
#    (pages of at most 20,000 rows, cursor to cursor), one signed query per request, timed with
#    curl; nginx paced to the lookup's half-peak rate, for the machine's own tail latency.
# The per-address limit is configured explicitly: public_lookups_per_minute 10^6 (its maximum,
# ~16.7k/s) and a burst of 100,000, so it does not bind; every run's non-2xx count is recorded.
#
# Environment: MEDTRAIL_BIN_DIR (a build tree holding tests/lookup_bench; default: scripts/build
# into build/), MEDTRAIL_BENCH_OUT (results directory, default /tmp/medtrail-bench-lookup-<time>).
# Every run is one JSON line in $out/results.jsonl; tabulate.py prints the table.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
here=$repo/scripts/bench-lookup
records_list=100000,1000000
duration=10
rounds=1
floor_us=3000
connections=64
keep=0
usage="usage: scripts/bench lookup [--records N[,N...]] [--duration S] [--rounds R] [--floor-us F] [--connections C] [--keep]"
while [ $# -gt 0 ]; do
  case "$1" in
    --records) records_list=$2; shift ;;
    --duration) duration=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --floor-us) floor_us=$2; shift ;;
    --connections) connections=$2; shift ;;
    --keep) keep=1 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
  shift
done

say() { echo "lookup: $*" >&2; }
die() { echo "lookup: $*" >&2; exit 1; }

# ---- tools and binaries ---------------------------------------------------------------------

need_packages=()
command -v wrk >/dev/null || need_packages+=(wrk)
command -v nginx >/dev/null || need_packages+=(nginx-light)
command -v curl >/dev/null || need_packages+=(curl)
command -v jq >/dev/null || need_packages+=(jq)
if [ ${#need_packages[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "missing ${need_packages[*]}; install them (apt-get) or run as root"
  say "installing ${need_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null; }
fi
command -v python3 >/dev/null || die "python3 is needed (free ports, tables)"

if [ -n "${MEDTRAIL_BIN_DIR:-}" ]; then
  bin_dir=$MEDTRAIL_BIN_DIR
else
  "$repo/scripts/build" -- lookup_bench >&2
  bin_dir=$repo/build
fi
bench=
for c in "$bin_dir/lookup_bench" "$bin_dir/tests/lookup_bench"; do [ -x "$c" ] && bench=$c && break; done
[ -n "$bench" ] || die "no lookup_bench in $bin_dir"

# ---- temp dir, results, cleanup -------------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/medtrail-lookup.XXXXXX")
out=${MEDTRAIL_BENCH_OUT:-${TMPDIR:-/tmp}/medtrail-bench-lookup-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
results=$out/results.jsonl
: >"$results"
pids=()  # every process this script started and has not stopped yet

stop_pids() {  # PID...: SIGTERM, SIGKILL after 30 s (a 10^6 store takes a while to close)
  local pid alive
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 300); do
    alive=0
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for pid in "$@"; do kill -KILL "$pid" 2>/dev/null || true; done
  local keep_pids=() p m
  for p in "${pids[@]}"; do
    for m in "$@"; do [ "$p" = "$m" ] && continue 2; done
    keep_pids+=("$p")
  done
  pids=("${keep_pids[@]}")
}

cleanup() {
  local rc=$?
  [ ${#pids[@]} -gt 0 ] && stop_pids "${pids[@]}"
  if [ -d "$work" ]; then
    mkdir -p "$out/logs"
    find "$work" -maxdepth 2 -name '*.log' -exec cp {} "$out/logs/" \; 2>/dev/null || true
    if [ $keep = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
  fi
  [ $rc -ne 0 ] && say "failed (exit $rc); logs in $out/logs"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# record N RUN ROUND JSON: one line of results.jsonl.
record() {
  jq -c --argjson n "$1" --arg run "$2" --argjson round "$3" '{n: $n, run: $run, round: $round} + .' \
    <<<"$4" >>"$results"
}

# wrk_json URL CONNECTIONS SECONDS SCRIPT-ARGS...: wrk's run as requests.lua's JSON line.
wrk_json() {
  local url=$1 c=$2 s=$3
  shift 3
  wrk -t2 -c"$c" -d"${s}s" --timeout 15s -s "$here/requests.lua" "$url" -- "$@" 2>>"$work/wrk.log" |
    tee -a "$work/wrk.log" | tail -1
}

# ---- the static-file server -----------------------------------------------------------------

nginx_pid=
nginx_port=
nginx_start() {  # FILE: served as /answer.json
  local d=$work/nginx
  mkdir -p "$d/www" "$d/tmp"
  cp "$1" "$d/www/answer.json"
  # nginx's workers run as an unprivileged user: they need to reach the file (nothing else).
  chmod o+x "$work"
  chmod -R a+rX "$d"
  nginx_port=$(free_port)
  cat >"$d/nginx.conf" <<CONF
# Generated by scripts/bench-lookup/lookup.sh: one worker per core (the node has one io thread
# per core), Debian's defaults for static files (sendfile, tcp_nopush), no access log.
worker_processes $(nproc);
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    root $d/www;
    default_type application/json;
  }
}
CONF
  nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" &
  nginx_pid=$!
  pids+=("$nginx_pid")
  for _ in $(seq 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$nginx_port/answer.json")" = 200 ] && return 0
    sleep 0.1
  done
  die "nginx did not start ($d/error.log: $(tail -3 "$d/error.log" 2>/dev/null))"
}

# ---- the harness ----------------------------------------------------------------------------

harness_pid=
harness_start() {  # N DIR
  mkdir -p "$2"
  "$bench" serve --out "$2" --records "$1" --floor-us "$floor_us" --lookups-per-minute 1000000 \
    --lookup-burst 100000 --max-seconds 14400 >"$work/harness-$1.log" 2>&1 &
  harness_pid=$!
  pids+=("$harness_pid")
  local last=
  while [ ! -s "$2/port" ]; do
    kill -0 "$harness_pid" 2>/dev/null || die "lookup_bench exited: $(tail -5 "$work/harness-$1.log")"
    local now
    now=$(grep -o '[0-9]* records committed' "$work/harness-$1.log" | tail -1 || true)
    [ -n "$now" ] && [ "$now" != "$last" ] && say "  $now" && last=$now
    sleep 1
  done
}

# Requests signed right before a run (a signed query is good for 5 minutes).
sign() {  # DIR WHAT COUNT FILE [ARGS...]
  "$bench" sign --dir "$1" --what "$2" --count "$3" --out "$4" "${@:5}"
}

# curl_signed FILE OUTPUT: each line of FILE (lookup_bench sign) as one request, in turn;
# prints "status seconds" for each.
curl_signed() {
  local line method target auth body args
  while IFS= read -r line; do
    # Split by hand: `read` with IFS=tab would merge the empty Authorization field away.
    method=${line%%$'\t'*} && line=${line#*$'\t'}
    target=${line%%$'\t'*} && line=${line#*$'\t'}
    auth=${line%%$'\t'*} && body=${line#*$'\t'}
    args=(-X "$method")
    [ -n "$auth" ] && args+=(-H "Authorization: $auth")
    [ -n "$body" ] && args+=(-H "Content-Type: application/json" --data-binary "$body")
    curl -s -o "$2" -w '%{http_code} %{time_total}\n' "${args[@]}" "http://127.0.0.1:$port$target"
  done <"$1"
}

# timed N RUN FILE: the requests of FILE one after another (the first is a warm-up), their
# statuses and median and largest time.
timed() {
  curl_signed "$3" "$work/timed.out" | tail -n +2 >"$work/timed.times"
  record "$1" "$2" 1 "$(jq -Rs '[split("\n")[] | select(length > 0) | split(" ")] |
    {statuses: (map(.[0]) | unique), ms: (map(.[1] | tonumber * 1000) | sort)} |
    . + {p50_ms: (.ms | .[length / 2 | floor]), max_ms: .ms[-1], reads: (.ms | length)}' "$work/timed.times")"
}

# ---- one store size -------------------------------------------------------------------------

machine="$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(. /etc/os-release; echo "$PRETTY_NAME")"
say "machine: $machine; load: $(cut -d' ' -f1-3 /proc/loadavg); results in $out"
jq -nc --arg machine "$machine" --arg date "$(date -u +%FT%TZ)" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
  --arg wrk "$(wrk -v 2>&1 | head -1)" --arg nginx "$(nginx -v 2>&1)" --argjson duration "$duration" \
  --argjson floor_us "$floor_us" --argjson connections "$connections" \
  '{run: "meta", machine: $machine, date: $date, load: $load, wrk: $wrk, nginx: $nginx,
    duration_s: $duration, floor_us: $floor_us, connections: $connections}' >>"$results"

half() { jq -n --argjson peak "$1" '[$peak / 2 | floor, 1] | max'; }
median_of() {  # RUN FIELD N: median over the rounds so far
  jq -s --arg run "$1" --arg f "$2" --argjson n "$3" \
    '[.[] | select(.run == $run and .n == $n) | .[$f]] | sort | if length == 0 then 0 else .[length / 2 | floor] end' "$results"
}

# paced N RUN URL RATE FLOOR_US CODES PREFIX: wrk at RATE requests/s, each connection waiting
# between a response and its next request; a 5 s calibration measures the time a cycle spends
# outside the wait (the answer's latency, the floor included).
paced() {
  local n=$1 run=$2 url=$3 rate=$4 floor=$5 paths=$6 prefix=$7 c cycle wait line got overhead
  c=$(jq -n --argjson r "$rate" '[[($r * 0.02 / 2 | ceil) * 2, 4] | max, 512] | min')  # a 20 ms cycle
  cycle=$(jq -n --argjson r "$rate" --argjson c "$c" '$c * 1000 / $r')
  wait=$(jq -n --argjson cy "$cycle" --argjson f "$floor" '[$cy - $f / 1000 - 1, 0] | max')
  line=$(LOOKUP_DELAY_MS=$wait wrk_json "$url" "$c" 5 codes "$paths" "$prefix")
  got=$(jq .records_per_s <<<"$line")
  overhead=$(jq -n --argjson c "$c" --argjson got "$got" --argjson w "$wait" '$c * 1000 / $got - $w')
  wait=$(jq -n --argjson cy "$cycle" --argjson o "$overhead" '[$cy - $o, 0] | max')
  line=$(LOOKUP_DELAY_MS=$wait wrk_json "$url" "$c" "$duration" codes "$paths" "$prefix")
  record "$n" "$run" 1 "$(jq -c --argjson rate "$rate" --argjson c "$c" --argjson w "$wait" \
    '. + {target_rate: $rate, connections: $c, wait_ms: $w}' <<<"$line")"
  say "  $run: target $rate/s, got $(jq -r '"\(.records_per_s | floor)/s, p50 \(.p50_ms) ms, p99 \(.p99_ms) ms"' <<<"$line")"
}

# signed_run N KIND ROUND: a wrk run of requests of KIND (ingest, verify) signed ahead; a run
# that used them all (requests.lua: "exhausted") is void and runs again with 3x as many.
signed_run() {
  local n=$1 kind=$2 round=$3 var=${2}_supply line attempt extra=()
  for attempt in 1 2 3; do
    [ "$kind" = ingest ] && extra=(--prefix "I$round-$attempt-")
    sign "$dir" "$kind" "${!var}" "$work/$kind" "${extra[@]}"
    line=$(wrk_json "$lookup" "$connections" "$duration" signed "$work/$kind" 2)
    [ "$(jq .exhausted <<<"$line")" = true ] || break
    say "  $kind: all ${!var} signed requests used; again with 3x as many"
    printf -v "$var" '%s' $((${!var} * 3))
  done
  record "$n" "$kind" "$round" "$line"
  printf -v "$var" '%s' "$(more_supply "${!var}" "$(jq .records_per_s <<<"$line")")"
}

# Pre-signed requests per run, per kind: three times the best rate seen so far (at least 10,000), so
# a run never runs out; wrk reads them all before it starts, so more only costs time.
ingest_supply=$((6000 * duration))
verify_supply=$((6000 * duration))
more_supply() {  # SUPPLY RATE
  jq -n --argjson s "$1" --argjson r "$2" --argjson d "$duration" '[$r * 3 * $d | ceil, 10000, $s] | max'
}
for n in ${records_list//,/ }; do
  dir=$work/n$n
  say "store of $n tableware batches: filling (lookup_bench serve)"
  harness_start "$n" "$dir"
  record "$n" fill 1 "$(cat "$dir/fill.json")"
  say "  filled: $(cat "$dir/fill.json")"
  port=$(cat "$dir/port")
  port0=$(cat "$dir/port-nofloor")
  codes=$dir/tableware-codes
  lookup=http://127.0.0.1:$port
  lookup0=http://127.0.0.1:$port0

  # The static twin: the very bytes of one lookup answer.
  mid=$(sed -n "$((n / 2 + 1))p" "$codes")
  [ "$(curl -s -o "$work/answer.json" -w '%{http_code}' "$lookup0/v1/trace/tableware/$mid")" = 200 ] ||
    die "lookup of $mid failed: $(cat "$work/answer.json")"
  nginx_start "$work/answer.json"
  echo answer.json >"$work/static-paths"
  record "$n" answer 1 "$(jq -c '{bytes: $b}' --argjson b "$(stat -c %s "$work/answer.json")" <<<'{}')"

  say "  warm-up (5 s of lookups, floor 0)"
  wrk_json "$lookup0" "$connections" 5 codes "$codes" /v1/trace/tableware/ >/dev/null
  for round in $(seq 1 "$rounds"); do
    say "  round $round/$rounds: static, lookup (floor $floor_us us), lookup (floor 0), c=$connections"
    record "$n" static "$round" "$(wrk_json "http://127.0.0.1:$nginx_port" "$connections" "$duration" codes "$work/static-paths" /)"
    record "$n" lookup "$round" "$(wrk_json "$lookup" "$connections" "$duration" codes "$codes" /v1/trace/tableware/)"
    record "$n" lookup_nofloor "$round" "$(wrk_json "$lookup0" "$connections" "$duration" codes "$codes" /v1/trace/tableware/)"
  done
  rate=$(half "$(median_of lookup records_per_s "$n")")
  paced "$n" lookup_half "$lookup" "$rate" "$floor_us" "$codes" /v1/trace/tableware/
  # The machine's own tail at that rate: nginx paced the same way.
  paced "$n" static_half "http://127.0.0.1:$nginx_port" "$rate" 0 "$work/static-paths" /
  paced "$n" lookup_nofloor_half "$lookup0" "$(half "$(median_of lookup_nofloor records_per_s "$n")")" 0 \
    "$codes" /v1/trace/tableware/
  stop_pids "$nginx_pid"

  for round in $(seq 1 "$rounds"); do
    say "  round $round/$rounds: ingest vs verifications, c=$connections ($ingest_supply / $verify_supply requests signed ahead)"
    signed_run "$n" ingest "$round"
    signed_run "$n" verify "$round"
  done

  say "  audit: first page of org/disinf-d (20 reads), one record committed alone (20), the trail's first 100,000 rows as CSV (3 reads)"
  sign "$dir" query 21 "$work/first-page" --target /v1/audit/trails/org/disinf-d
  timed "$n" audit_first_page "$work/first-page"
  # What any recorded read waits for: one record committed alone (a POST, ?wait=commit).
  sign "$dir" ingest 21 "$work/alone" --prefix C-
  timed "$n" commit_alone "$work/alone"
  # A CSV page holds at most 20,000 rows (the scan budget, node/src/api/audit_routes.cpp): the
  # export follows Medtrail-Next-Cursor, each page its own signed query, signed between pages
  # (not timed). Timed: the sum of the pages' times.
  for export in 1 2 3; do
    local_rows=0 seconds=0 pages=0 cursor=
    while [ "$local_rows" -lt 100000 ]; do
      target="/v1/audit/trails/org/disinf-d?format=csv&limit=$((100000 - local_rows))${cursor:+&after=$cursor}"
      sign "$dir" query 1 "$work/csv" --target "$target"
      IFS=$'\t' read -r _ _ auth _ <"$work/csv"
      t=$(curl -s -D "$work/csv.headers" -o "$work/trail.csv" -w '%{http_code} %{time_total}' \
        -H "Authorization: $auth" "$lookup$target")
      [ "${t% *}" = 200 ] || die "CSV page $target: $t $(head -c 300 "$work/trail.csv")"
      local_rows=$((local_rows + $(wc -l <"$work/trail.csv") - 1))
      seconds=$(jq -n --argjson a "$seconds" --argjson b "${t#* }" '$a + $b')
      pages=$((pages + 1))
      cursor=$(tr -d '\r' <"$work/csv.headers" | awk -F': ' 'tolower($1) == "medtrail-next-cursor" {print $2}')
      [ -n "$cursor" ] || break
    done
    record "$n" audit_csv "$export" "$(jq -nc --argjson sec "$seconds" --argjson rows "$local_rows" --argjson pages "$pages" \
      '{seconds: $sec, rows: $rows, pages: $pages, rows_per_s: ($rows / $sec)}')"
  done
  say "  $(jq -c 'select(.run == "audit_first_page" or .run == "commit_alone" or .run == "audit_csv") | del(.ms)' "$results" | tail -5 | tr '\n' ' ')"

  stop_pids "$harness_pid"
done

python3 "$here/tabulate.py" "$results" | tee "$out/table.md"
say "results: $results, table: $out/table.md"
