# Sourced by ingest.sh for `scripts/bench ingest --sustained`: a long open-loop run at a
# fraction of the peak (or at --rate records/s), to see whether latency, memory and RocksDB's
# write amplification stay flat, and whether every node's chain still verifies afterwards.
#
# A fresh 3-node cluster; two closed-loop runs at --concurrency connections for --duration
# seconds (the higher rate is the peak); then one open-loop run offering --fraction of the peak
# (or --rate) for --minutes, reported per 30 s window (`medtrail load --window`). Every 15 s a sampler
# records each node's CPU seconds, resident memory and RocksDB figures (/metrics: bytes written
# by kind, memtables, block cache, bytes on disk), the heap in use and kept free, and the Raft
# log's syncs and the seconds they took. The load generator signs every record of the
# run before it starts: about 1 KB each, so rate × minutes × 60 KB of its memory (1 GB at
# 1.7k records/s for 10 minutes); the sampler's clock starts with the signing, and the report
# says how long that took ("signing_s"). Afterwards the cluster stops and `medtrail
# verify-chain` reads every node's data directory. Results: $out/results.jsonl, the table
# (scripts/bench-ingest/sustained.py) in $out/sustained.md, with what node-1's flushes and
# compactions wrote by column family (scripts/bench-ingest/rocksdb_log.py).
# Uses $medtrail, $work, $out, $results, $duration, $repo, pids, cpu_seconds, with_cpu and
# medtrail_run (ingest.sh) and medtrail-cluster.sh's functions.

# One JSON line per node: CPU seconds so far, resident memory, RocksDB's figures, the heap in
# use and kept free, and the Raft log's syncs so far, T seconds into the run.
sustained_sample() {  # T
  local i m rss cpu
  for i in "${!medtrail_urls[@]}"; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/${medtrail_pids[$i]}/status" 2>/dev/null) || continue
    cpu=$(cpu_seconds "${medtrail_pids[$i]}") || continue
    m=$(curl -s --max-time 5 "${medtrail_urls[$i]}/metrics") || continue
    awk -v node="node-$((i + 1))" -v t="$1" -v rss="${rss:-0}" -v cpu="$cpu" '
      $1 == "medtrail_rocksdb_bytes_written_total{kind=\"user\"}" { user = $2 }
      $1 == "medtrail_rocksdb_bytes_written_total{kind=\"wal\"}" { wal = $2 }
      $1 == "medtrail_rocksdb_bytes_written_total{kind=\"tables\"}" { tables = $2 }
      $1 == "medtrail_rocksdb_memory_bytes{kind=\"memtables\"}" { mem = $2 }
      $1 == "medtrail_rocksdb_memory_bytes{kind=\"block_cache\"}" { cache = $2 }
      $1 == "medtrail_rocksdb_memory_bytes{kind=\"table_readers\"}" { readers = $2 }
      $1 == "medtrail_disk_bytes" { disk = $2 }
      $1 == "medtrail_tree_size" { leaves = $2 }
      $1 == "medtrail_heap_bytes{kind=\"in_use\"}" { heap = $2 }
      $1 == "medtrail_heap_bytes{kind=\"free\"}" { heap_free = $2 }
      $1 == "medtrail_fsync_total" { syncs = $2 }
      $1 == "medtrail_fsync_seconds_total" { sync_s = $2 }
      END {
        # A build without a series leaves it out: null, not 0.
        if (heap == "") heap = "null"
        if (heap_free == "") heap_free = "null"
        if (syncs == "") syncs = "null"
        if (sync_s == "") sync_s = "null"
        printf "{\"system\":\"medtrail-sample\",\"t_s\":%d,\"node\":\"%s\",\"rss_kib\":%d,\"cpu_s\":%.2f,", t, node, rss, cpu
        printf "\"user_bytes\":%.0f,\"wal_bytes\":%.0f,\"table_bytes\":%.0f,", user, wal, tables
        printf "\"memtable_bytes\":%.0f,\"block_cache_bytes\":%.0f,", mem, cache
        printf "\"table_reader_bytes\":%.0f,\"disk_bytes\":%.0f,\"leaves\":%.0f,", readers, disk, leaves
        printf "\"heap_bytes\":%s,\"heap_free_bytes\":%s,\"fsyncs\":%s,\"fsync_s\":%s}\n", heap, heap_free, syncs, sync_s
      }' <<<"$m"
  done
}

sustained_ingest() {  # MINUTES FRACTION CONCURRENCY RATE (0: the fraction of the peak)
  local minutes=$1 fraction=$2 concurrency=$3 fixed=$4 peak=0 run rate line sampler i
  medtrail_start default
  for run in 1 2; do
    say "peak, run $run of 2: closed loop, $concurrency connections, $duration s"
    rate=$(medtrail_run 0 peak "$concurrency" | jq .records_per_s)
    peak=$(jq -n --argjson a "$peak" --argjson b "$rate" '[$a, $b] | max')
  done
  if [ "$fixed" -gt 0 ]; then
    rate=$fixed
    fraction=$(jq -n --argjson p "$peak" --argjson r "$rate" 'if $p > 0 then $r / $p * 1000 | round / 1000 else 0 end')
  else
    rate=$(jq -n --argjson p "$peak" --argjson f "$fraction" '$p * $f | floor')
  fi
  [ "$rate" -gt 0 ] || die "no peak to run at (peak $peak records/s)"
  say "sustained: $rate records/s (${fraction} of the peak $peak) for $minutes min at $concurrency connections; signing first"

  local start=$SECONDS
  (
    # Stops between samples: a sample half written when the run ended would land after the last.
    nap=
    trap '[ -n "$nap" ] && kill "$nap" 2>/dev/null; exit 0' TERM
    while :; do
      sustained_sample $((SECONDS - start)) >>"$results"
      sleep 15 &
      nap=$!
      wait "$nap"
    done
  ) &
  sampler=$!
  pids+=("$sampler")
  local cpu_before
  cpu_before=$(cpu_seconds "${medtrail_pids[@]}")
  line=$("$medtrail" load "${medtrail_urls[@]/#/--url=}" --key "$medtrail_key" \
    --concurrency "$concurrency" --rate "$rate" --duration $((minutes * 60)) --window 30 \
    2>>"$work/load.log") || die "medtrail load failed: $(tail -3 "$work/load.log")"
  line=$(with_cpu "$line" "$cpu_before" "$(cpu_seconds "${medtrail_pids[@]}")")
  stop_pids "$sampler"  # between two samples: the trap waits for the one under way
  sustained_sample $((SECONDS - start)) >>"$results"
  jq -c --argjson peak "$peak" --argjson f "$fraction" \
    '. + {system: "medtrail", setting: "sustained", round: 1, peak: $peak, fraction: $f}' \
    <<<"$line" >>"$results"
  say "sustained run: $(jq -c '{records_per_s, committed, errors, p50_ms, p99_ms, max_ms}' <<<"$line")"
  medtrail_check_alive
  medtrail_metrics sustained >>"$results"
  medtrail_stop

  for i in 1 2 3; do
    say "verify-chain node-$i"
    local verdict rc=0
    verdict=$("$medtrail" verify-chain --data-dir "$medtrail_dir/nodes/node-$i/data" \
      --genesis "$medtrail_dir/genesis.json" 2>&1) || rc=$?
    jq -nc --arg node "node-$i" --argjson rc "$rc" --arg last "$(tail -1 <<<"$verdict")" \
      '{system: "verify-chain", node: $node, ok: ($rc == 0), last_line: $last}' | tee -a "$results" >&2
  done
  python3 "$repo/scripts/bench-ingest/sustained.py" "$results" | tee "$out/sustained.md"
  {
    printf '\nWhat RocksDB flushes and compactions wrote on node-1 since it started (the peak runs too), by\n'
    printf 'column family, from its info log:\n\n'
    python3 "$repo/scripts/bench-ingest/rocksdb_log.py" "$medtrail_dir/nodes/node-1/data/db/LOG"
  } | tee -a "$out/sustained.md"
  say "results: $results, table: $out/sustained.md"
}
