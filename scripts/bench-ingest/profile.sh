# Sourced by ingest.sh for `scripts/bench ingest --profile`: where a committed record's CPU goes.
#
# A fresh 3-node cluster, a warm-up run, then one closed-loop run at --concurrency connections
# for --duration seconds with `perf record` attached to every node for exactly that run. Per
# node: the samples as folded stacks (node-N.folded), a flame graph (node-N.svg, from
# scripts/perf/flamegraph.py), and the CPU the node spent per committed record; then the
# component table (scripts/perf/components.py) that splits each node's CPU per record over
# what it was doing. Everything lands in $out (MEDTRAIL_BENCH_OUT).
#
# Sampling: --call-graph dwarf, since Debian's libraries (libsodium, RocksDB, libc) keep no
# frame pointers; perf's own work shares the 2 cores, so the rate under profile is below an
# unprofiled run's, which the summary line gives beside it.
# Uses $medtrail, $work, $out, $duration, $repo and medtrail-cluster.sh's functions.

profile_ingest() {  # CONCURRENCY FREQUENCY
  local concurrency=$1 frequency=$2 i line supply leader=0 perf_pids=() cpu_before=() cpu_after=()
  bench_need perf:linux-perf
  medtrail_start default
  say "warm-up: $duration s at $concurrency connections, unprofiled"
  local plain
  plain=$(medtrail_run 0 unprofiled "$concurrency")
  supply=$(cat "$closed_records_file")
  for i in 0 1 2; do
    curl -s --max-time 5 "${medtrail_urls[$i]}/metrics" | grep -q '^medtrail_raft_role{role="leader"} 1' && leader=$((i + 1))
    cpu_before+=("$(cpu_seconds "${medtrail_pids[$i]}")")
  done
  say "profiling: $duration s at $concurrency connections, perf at $frequency Hz on every node (leader: node-$leader)"
  for i in 0 1 2; do
    perf record -q -F "$frequency" --call-graph dwarf,16384 -p "${medtrail_pids[$i]}" \
      -o "$work/node-$((i + 1)).perf.data" >"$work/perf-$((i + 1)).log" 2>&1 &
    perf_pids+=($!)
  done
  sleep 0.5  # perf attaches to every thread before the load starts
  line=$("$medtrail" load "${medtrail_urls[@]/#/--url=}" --key "$medtrail_key" --concurrency "$concurrency" \
    --duration "$duration" --records="$supply" 2>>"$work/load.log") || die "medtrail load failed: $(tail -3 "$work/load.log")"
  for i in 0 1 2; do cpu_after+=("$(cpu_seconds "${medtrail_pids[$i]}")"); done
  kill -INT "${perf_pids[@]}"
  wait "${perf_pids[@]}" || true
  medtrail_check_alive
  local committed
  committed=$(jq .committed <<<"$line")
  [ "$committed" -gt 0 ] || die "nothing committed under the profile"
  say "unprofiled: $(jq -c '{records_per_s, p50_ms, p99_ms, server_cpu_ms_per_record}' <<<"$plain")"
  say "profiled:   $(jq -c '{records_per_s, p50_ms, p99_ms}' <<<"$line")"

  local nodes=() flame="$repo/scripts/perf/flamegraph.py"
  for i in 1 2 3; do
    local role=follower cpu_ms
    [ "$i" = "$leader" ] && role=leader
    cpu_ms=$(awk -v a="${cpu_after[$((i - 1))]}" -v b="${cpu_before[$((i - 1))]}" -v n="$committed" \
      'BEGIN {printf "%.4f", (a - b) * 1000 / n}')
    say "node-$i ($role): $cpu_ms ms CPU per committed record; folding the samples"
    # --no-inline: resolving inlined frames through addr2line takes minutes per node.
    perf script --no-inline -i "$work/node-$i.perf.data" 2>/dev/null |
      python3 "$flame" collapse >"$out/node-$i.folded"
    python3 "$flame" svg "$out/node-$i.folded" \
      --title "medtrail-node $i ($role), closed loop at $concurrency connections, $(date -u +%F)" >"$out/node-$i.svg"
    nodes+=("node-$i:$role:$cpu_ms:$out/node-$i.folded")
  done
  jq -c --argjson leader "$leader" --argjson f "$frequency" '. + {system: "medtrail-profiled", leader: $leader, perf_hz: $f}' \
    <<<"$line" >>"$results"
  python3 "$repo/scripts/perf/components.py" "${nodes[@]}" | tee "$out/components.md"
  say "flame graphs: $out/node-{1,2,3}.svg; folded stacks beside them; table: $out/components.md"
}
