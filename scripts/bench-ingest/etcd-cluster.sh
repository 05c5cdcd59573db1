# Sourced by ingest.sh: a 3-member etcd cluster (Debian's etcd-server, 3.4) on free loopback
# ports in $work, and wrk driving puts through its HTTP/JSON gateway.
# Uses $work, $here, $duration, pids (ingest.sh).

etcd_endpoints=
etcd_pids=()

etcd_start() {
  local client peer cluster="" i
  client=$(free_port_base 3)
  peer=$(free_port_base 3)
  for i in 1 2 3; do cluster+="${cluster:+,}m$i=http://127.0.0.1:$((peer + i - 1))"; done
  etcd_endpoints=
  for i in 1 2 3; do
    # Defaults otherwise (WAL fsync on every commit, 100 ms heartbeat); an 8 GiB quota so a
    # long benchmark never hits the 2 GiB default.
    etcd --name "m$i" --data-dir "$work/etcd-m$i" \
      --listen-client-urls "http://127.0.0.1:$((client + i - 1))" \
      --advertise-client-urls "http://127.0.0.1:$((client + i - 1))" \
      --listen-peer-urls "http://127.0.0.1:$((peer + i - 1))" \
      --initial-advertise-peer-urls "http://127.0.0.1:$((peer + i - 1))" \
      --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token ingest \
      --quota-backend-bytes $((8 << 30)) --logger zap --log-level warn \
      >"$work/etcd-m$i.log" 2>&1 &
    etcd_pids+=($!)
    pids+=($!)
    etcd_endpoints+="${etcd_endpoints:+,}127.0.0.1:$((client + i - 1))"
  done
  local healthy
  for _ in $(seq 300); do
    healthy=0
    for i in 1 2 3; do
      curl -s --max-time 1 "http://127.0.0.1:$((client + i - 1))/health" | grep -q '"health":"true"' &&
        healthy=$((healthy + 1))
    done
    [ $healthy = 3 ] && break
    sleep 0.1
  done
  [ $healthy = 3 ] || die "etcd cluster not healthy after 30 s (logs: $work/etcd-m*.log)"
  say "etcd cluster up: $etcd_endpoints"
}

# etcd_run CONCURRENCY KEY_PREFIX: prints one JSON line (medtrail load's fields).
etcd_run() {
  local first=${etcd_endpoints%%,*} line cpu_before
  cpu_before=$(cpu_seconds "${etcd_pids[@]}")
  line=$(ETCD_ENDPOINTS=$etcd_endpoints wrk -t4 -c"$1" -d"${duration}s" --timeout 30s --latency \
    -s "$here/etcd-put.lua" "http://$first" -- "$2" 400 | grep '^{') ||
    die "wrk against etcd failed"
  local i
  for i in "${!etcd_pids[@]}"; do
    kill -0 "${etcd_pids[$i]}" 2>/dev/null || die "etcd m$((i + 1)) died: $(tail -5 "$work/etcd-m$((i + 1)).log")"
  done
  line=$(with_cpu "$line" "$cpu_before" "$(cpu_seconds "${etcd_pids[@]}")")
  jq -c --argjson c "$1" '. + {concurrency: $c}' <<<"$line"
}

etcd_stop() {
  [ ${#etcd_pids[@]} -gt 0 ] || return 0
  stop_pids "${etcd_pids[@]}"
  # stop_pids (scripts/bench-workspace.sh) forgets them
  etcd_pids=()
}
