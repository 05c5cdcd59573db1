# Sourced by ingest.sh: a fresh 3-node medtrail cluster (scripts/demo-orgs.json) on free
# loopback ports in $work, fsync on, every node verifying every signature (the default).
# Uses $medtrail, $node_bin, $work, $repo, pids (ingest.sh).

medtrail_urls=()
medtrail_key=
medtrail_pids=()
medtrail_dir=

# medtrail_start NAME [KEY=VALUE...]: KEY=VALUE pairs go to [limits] in every node.toml
# (node/src/config/node_config.h); none keeps the node defaults.
medtrail_start() {
  local name=$1 peer api
  shift
  medtrail_dir=$work/medtrail-$name
  peer=$(free_port_base 3)
  api=$(free_port_base 3)
  "$medtrail" genesis init --orgs "$repo/scripts/demo-orgs.json" --out "$medtrail_dir" \
    --peer-port-base "$peer" --api-port-base "$api" >/dev/null
  medtrail_urls=()
  medtrail_pids=()
  local i toml limit
  for i in 1 2 3; do
    toml=$medtrail_dir/nodes/node-$i/node.toml
    {
      echo
      echo "[storage]"
      echo "fsync = true"
      # The load generator is one address standing for many clients: no per-address share.
      echo "[api]"
      # Plain HTTP, said explicitly: etcd is measured without TLS too, and medtrail load speaks
      # http:// only (it measures the node, not a TLS stack).
      echo "plain_http = true"
      echo "max_connections_per_address = 0"
      echo "requests_per_second_per_address = 0"
      if [ $# -gt 0 ]; then
        echo "[limits]"
        for limit in "$@"; do echo "${limit%%=*} = ${limit#*=}"; done
      fi
    } >>"$toml"
    "$node_bin" --config "$toml" >"$work/medtrail-$name-node-$i.log" 2>&1 &
    medtrail_pids+=($!)
    pids+=($!)
    medtrail_urls+=("http://127.0.0.1:$((api + i - 1))")
  done
  # Any organisation's admin may sign records; hosp-xa-01 is the first in demo-orgs.json.
  medtrail_key=$medtrail_dir/orgs/hosp-xa-01/admin.key
  local url ready
  for _ in $(seq 300); do
    ready=0
    for url in "${medtrail_urls[@]}"; do
      [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url/readyz")" = 200 ] && ready=$((ready + 1))
    done
    [ $ready = 3 ] && break
    medtrail_check_alive
    sleep 0.1
  done
  [ $ready = 3 ] || die "medtrail cluster $name not ready after 30 s (logs: $work/medtrail-$name-node-*.log)"
  say "medtrail cluster $name up: ${medtrail_urls[*]}"
}

medtrail_check_alive() {
  local i
  for i in "${!medtrail_pids[@]}"; do
    if ! kill -0 "${medtrail_pids[$i]}" 2>/dev/null; then
      say "medtrail node-$((i + 1)) exited; last log lines:"
      tail -20 "$(ls -t "$work"/medtrail-*-node-$((i + 1)).log | head -1)" >&2
      die "a medtrail node died"
    fi
  done
}

medtrail_stop() {
  [ ${#medtrail_pids[@]} -gt 0 ] || return 0
  stop_pids "${medtrail_pids[@]}"
  # stop_pids (scripts/bench-workspace.sh) forgets them
  medtrail_pids=()
}

# Warnings and errors the nodes logged over the whole benchmark, counted per message.
medtrail_log_summary() {
  local logs=("$work"/medtrail-*-node-*.log)
  echo "medtrail node log lines at warn or above (count, message):"
  # Pattern (node/src/main.cpp): "<time> <level> node=<id> <message>".
  grep -hE '^[^ ]+ (warning|error|critical) ' "${logs[@]}" 2>/dev/null |
    cut -d' ' -f2- | sort | uniq -c | sort -rn | head -20 || true
}

# medtrail_metrics SETTING: the Raft counters of every node since it started (/metrics), one
# JSON line per node: how many records a proposal carried and what a sync cost.
medtrail_metrics() {
  local i m
  for i in "${!medtrail_urls[@]}"; do
    m=$(curl -s --max-time 5 "${medtrail_urls[$i]}/metrics") || continue
    awk -v node="node-$((i + 1))" -v setting="$1" '
      $1 == "medtrail_fsync_total" { f = $2 }
      $1 == "medtrail_fsync_seconds_total" { fs = $2 }
      $1 == "medtrail_proposals_total" { p = $2 }
      $1 == "medtrail_records_proposed_total" { r = $2 }
      $1 == "medtrail_raft_role{role=\"leader\"}" && $2 == 1 { leader = 1 }
      END {
        printf "{\"system\":\"medtrail-metrics\",\"setting\":\"%s\",\"node\":\"%s\",", setting, node
        printf "\"leader\":%s,\"fsyncs\":%d,\"fsync_s\":%.3f,", leader ? "true" : "false", f, fs
        printf "\"proposals\":%d,\"records_proposed\":%d}\n", p, r
      }' <<<"$m"
  done
}
