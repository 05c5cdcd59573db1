# Sourced by the benchmark scripts (scripts/bench-ingest/ingest.sh, scripts/bench-lookup/lookup.sh):
# a temp dir, a results dir that outlives it, and every process started stopped on exit.
# Before sourcing, set: bench_name (ingest, lookup), keep (1: keep the temp dir), a say()
# function, and optionally stop_wait_s (how long a process gets after SIGTERM; default 10).
# Sets: work, out, results, pids; defines stop_pids, free_port.

work=$(mktemp -d "${TMPDIR:-/tmp}/medtrail-$bench_name.XXXXXX")
out=${MEDTRAIL_BENCH_OUT:-${TMPDIR:-/tmp}/medtrail-bench-$bench_name-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
results=$out/results.jsonl
: >"$results"
pids=()  # every process the script started and has not stopped yet

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
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
