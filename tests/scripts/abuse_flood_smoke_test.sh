#!/usr/bin/env bash
# The abuse benchmark's flooder still builds, floods and reports (scripts/bench abuse runs it for
# minutes; this for 3 s): against lookup_bench's public listener (a 1 s head deadline here), 40
# idle, 10 slowloris and 5 slow-body connections from one address, whose share is 16. The flood
# reports connections opened and cut, a lookup still answers 200 during it, and the node's
# /metrics counts connections refused for the address's share and cut at the head deadline.
# Not a measurement.
#   abuse_flood_smoke_test.sh PATH/TO/lookup_bench PATH/TO/abuse_flood
set -euo pipefail
bench=$1
flooder=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/abuse-flood-smoke.XXXXXX")
pid=
flood_pid=
cleanup() {
  [ -n "$flood_pid" ] && kill "$flood_pid" 2>/dev/null || true
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; cat "$dir/serve.log" "$dir/flood.log" >&2 || true; exit 1; }

"$bench" serve --out "$dir" --records 200 --prescriptions 10 --max-seconds 40 --public \
  --trusted-proxy 127.0.0.1 --public-head-ms 1000 >"$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 300); do
  [ -s "$dir/port" ] && break
  kill -0 "$pid" 2>/dev/null || fail "the harness exited before serving"
  sleep 0.1
done
[ -s "$dir/port" ] || fail "not serving after 30 s"
port=$(cat "$dir/port-public")
metrics=$(cat "$dir/port-public-metrics")

"$flooder" --port "$port" --duration 3 --idle 40 --slowloris 10 --slow-body 5 --from one \
  --reconnect-ms 200 --progress-s 1 >"$dir/flood.json" 2>"$dir/flood.log" &
flood_pid=$!
sleep 1
code=$(head -1 "$dir/tableware-codes")
status=$(curl -s -o "$dir/answer" -w '%{http_code}' "http://127.0.0.1:$port/v1/trace/tableware/$code")
[ "$status" = 200 ] || fail "lookup of $code during the flood: $status $(cat "$dir/answer")"
wait "$flood_pid" || fail "abuse_flood exited with $?"
flood_pid=

python3 - "$dir/flood.json" <<'PY' || fail "flood report: $(cat "$dir/flood.json")"
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
assert r["sources"] == 1, r
assert set(r["kinds"]) == {"idle", "slowloris", "slow_body"}, r
assert r["opened"] >= 55 and r["cut"] > 0 and r["reconnects"] > 0, r
assert r["kinds"]["slowloris"]["bytes_sent"] > 0, r
PY

curl -s "http://127.0.0.1:$metrics/metrics" >"$dir/metrics"
value() { awk -v m="$1" '$1 == m {print int($2)}' "$dir/metrics"; }
refused=$(value 'medtrail_http_connections_refused_total{listener="public",reason="address_full"}')
head=$(value 'medtrail_http_connections_timed_out_total{listener="public",phase="head"}')
[ "${refused:-0}" -gt 0 ] || fail "no connection refused for the address's share: $(grep listener=\"public\" "$dir/metrics")"
[ "${head:-0}" -gt 0 ] || fail "no connection cut at the head deadline: $(grep listener=\"public\" "$dir/metrics")"

kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "still running 10 s after SIGTERM"
wait "$pid" || fail "exit status $? after SIGTERM"
pid=
echo "ok: flood reported, lookup answered during it, share and head deadline counted"
