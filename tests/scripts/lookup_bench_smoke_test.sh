#!/usr/bin/env bash
# The read-side benchmark's harness still builds, fills, serves and stops (scripts/bench lookup
# runs it at 10^6 records; this runs it at 200): a public lookup answers 200, a pharmacist's
# signed verification answers 200, and SIGTERM stops it.
#   lookup_bench_smoke_test.sh PATH/TO/lookup_bench
set -euo pipefail
bench=$1
dir=$(mktemp -d "${TMPDIR:-/tmp}/lookup-bench-smoke.XXXXXX")
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; cat "$dir/serve.log" >&2 || true; exit 1; }

"$bench" serve --out "$dir" --records 200 --prescriptions 10 --max-seconds 40 >"$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 300); do
  [ -s "$dir/port" ] && break
  kill -0 "$pid" 2>/dev/null || fail "the harness exited before serving"
  sleep 0.1
done
[ -s "$dir/port" ] || fail "not serving after 30 s"
port=$(cat "$dir/port")
code=$(head -1 "$dir/tableware-codes")
status=$(curl -s -o "$dir/answer" -w '%{http_code}' "http://127.0.0.1:$port/v1/trace/tableware/$code")
[ "$status" = 200 ] || fail "lookup of $code: $status $(cat "$dir/answer")"
grep -q '"status":"GENUINE"' "$dir/answer" || fail "lookup of $code: $(cat "$dir/answer")"

"$bench" sign --dir "$dir" --what verify --count 1 --out "$dir/verify"
IFS=$'\t' read -r _ target auth _ <"$dir/verify"
status=$(curl -s -o "$dir/verified" -w '%{http_code}' -H "Authorization: $auth" \
  "http://127.0.0.1:$port$target")
[ "$status" = 200 ] || fail "verification $target: $status $(cat "$dir/verified")"

kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "still running 10 s after SIGTERM"
wait "$pid" || fail "exit status $? after SIGTERM"
pid=
echo "ok: lookup, verification, stop"
