# Sourced by the benchmark scripts (scripts/bench-ingest/ingest.sh, scripts/bench-lookup/lookup.sh).
# Before sourcing, set bench_name (ingest, lookup) and keep (1: keep the temp dir); optionally
# stop_wait_s (how long a process gets after SIGTERM; default 10).
# Gives: say, die, bench_need (tools, installed with apt-get when missing), bench_workspace (a temp
# dir, a results dir that outlives it, every started process stopped on exit: sets work, out,
# results, pids), stop_pids, free_port.

say() { echo "$bench_name: $*" >&2; }
die() { echo "$bench_name: $*" >&2; exit 1; }

bench_need() {  # COMMAND:PACKAGE...: installs the packages of the missing commands
  local need=() pair
  for pair in "$@"; do command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}"); done
  if [ ${#need[@]} -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || die "missing ${need[*]}; install them (apt-get) or run as root"
    say "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
  fi
  command -v python3 >/dev/null || die "python3 is needed (free ports, tables)"
}

bench_workspace() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/medtrail-$bench_name.XXXXXX")
  out=${MEDTRAIL_BENCH_OUT:-${TMPDIR:-/tmp}/medtrail-bench-$bench_name-$(date -u +%Y%m%dT%H%M%SZ)}
  mkdir -p "$out"
  results=$out/results.jsonl
  : >"$results"
  pids=()  # every process the script started and has not stopped yet
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

stop_pids() {  # PID...: SIGTERM, SIGKILL after stop_wait_s; forgets them
  local pid alive
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq $((${stop_wait_s:-10} * 10))); do
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

bench_cleanup() {
  local rc=$?
  [ ${#pids[@]} -gt 0 ] && stop_pids "${pids[@]}"
  if [ -d "$work" ]; then
    # Process logs outlive the temp dir: they are the evidence when something misbehaved.
    mkdir -p "$out/logs"
    find "$work" -maxdepth 2 -name '*.log' -exec cp {} "$out/logs/" \; 2>/dev/null || true
    if [ "$keep" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
  fi
  [ $rc -ne 0 ] && say "failed (exit $rc); logs in $out/logs"
  exit $rc
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
