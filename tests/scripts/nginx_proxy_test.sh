#!/usr/bin/env bash
# The public lookup behind nginx (docs/deploy.md): Debian's nginx runs deploy/nginx/medtrail-public.conf
# as shipped, its @NAME@ placeholders filled, in front of node-1's public listener of a 3-node demo
# cluster; node-1 trusts nginx's address (127.0.0.2) and allows each client 5 lookups. Clients are
# loopback addresses of their own (curl --interface). It shows that
#   - the node counts lookups by the client nginx forwards: client A, through nginx, runs out of
#     lookups (the node's 429) while client B, through the same nginx, still gets answers, and A
#     cannot pick another bucket by sending its own X-Forwarded-For (nginx overwrites it);
#   - the node believes X-Forwarded-For only from the trusted proxy: a client talking to the node
#     directly and naming B in the header runs out of its own lookups, not B's, and changing the
#     header does not help;
#   - nginx caches a lookup (X-Cache-Status HIT, the node not asked again; a query string does not
#     miss) and keeps a hash tile as the node's Cache-Control says;
#   - nginx's own limit answers a flood with 429 in the node's error shape, before the node;
#   - nginx serves nothing but the public GETs: no entry bundles, no members' routes, no POST;
#     plain HTTP is redirected, but for certbot's webroot;
#   - docs/deploy.md shows this config as it is.
#
# Environment: MEDTRAIL_BIN_DIR (the build directory holding medtrail and medtrail-node); nginx
# and openssl from Debian (scripts/setup-deps).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
: "${MEDTRAIL_BIN_DIR:?set MEDTRAIL_BIN_DIR to the build directory}"
export MEDTRAIL_BIN_DIR
nginx=/usr/sbin/nginx

fail() { echo "nginx_proxy_test: FAIL: $*" >&2; exit 1; }
[ -x "$nginx" ] || fail "no $nginx (apt-get install nginx, or scripts/setup-deps)"
command -v openssl >/dev/null || fail "no openssl (scripts/setup-deps)"

# docs/deploy.md gives the config in full: the copy there must be the file tested here.
awk '/^```nginx$/ { inside = 1; next } inside && /^```$/ { exit } inside' "$repo/docs/deploy.md" |
  cmp -s - "$repo/deploy/nginx/medtrail-public.conf" ||
  fail "docs/deploy.md's config differs from deploy/nginx/medtrail-public.conf"

work=$(mktemp -d)
export MEDTRAIL_CLUSTER_DIR=$work/cluster
nginx_pid=
cleanup() {
  if [ -n "$nginx_pid" ]; then
    kill -TERM "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
  fi
  "$repo/scripts/cluster" down --purge >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

proxy=127.0.0.2  # nginx's address toward the node (proxy_bind), the node's one trusted proxy
client_a=127.0.0.3
client_b=127.0.0.4
forger=127.0.0.5   # talks to the node directly
client_e=127.0.0.6 # the cache's witness
flooder=127.0.0.7
lookup_burst=5     # node-1's per-address lookups, with next to no refill during the test

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---- the cluster: the demo story on it, then node-1 restarted trusting nginx ------------------

# Ports below the kernel's ephemeral range, as api_harvest_test.sh picks them; nginx takes the two
# after the public listeners.
started=
for attempt in 1 2 3 4 5; do
  base=$((10000 + (RANDOM % 900) * 20))
  https_port=$((base + 18))
  http_port=$((base + 19))
  if port_in_use "$https_port" || port_in_use "$http_port"; then continue; fi
  if MEDTRAIL_PEER_PORT_BASE=$base MEDTRAIL_API_PORT_BASE=$((base + 10)) MEDTRAIL_PUBLIC_PORT_BASE=$((base + 15)) \
      "$repo/scripts/cluster" up 3 >"$work/up.log" 2>&1; then
    started=1
    break
  fi
  "$repo/scripts/cluster" down --purge >/dev/null 2>&1 || true
done
[ -n "$started" ] || { cat "$work/up.log" >&2; fail "the cluster did not start"; }
"$repo/scripts/demo-story" >"$work/story.log" 2>&1 || { cat "$work/story.log" >&2; fail "the story failed"; }
codes=$MEDTRAIL_CLUSTER_DIR/demo/story/codes.tsv
[ "$(wc -l <"$codes")" -ge 4 ] || fail "the story wrote too few codes to $codes"

toml=$MEDTRAIL_CLUSTER_DIR/nodes/node-1/node.toml
[ "$(grep '^\[' "$toml" | tail -1)" = "[public]" ] || fail "[public] is not the last table of $toml"
grep -q '^\[limits\]' "$toml" && fail "$toml has a [limits] table already"
"$repo/scripts/cluster" down >/dev/null
cat >>"$toml" <<EOF
trusted_proxies = ["$proxy"]

[limits]
public_lookups_per_minute = 1
public_lookup_burst = $lookup_burst
EOF
"$repo/scripts/cluster" up >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; fail "the cluster did not restart"; }
node_public=$(sed -n 's/^listen *= *"\(.*\)"$/\1/p' "$toml")
node_api=$(sed -n 's/^api *= *"\(.*\)"$/\1/p' "$toml")
# The members' API serves HTTPS with node-1's own identity; curl pins its key.
node_api_pin=$(sed -n 's/.*"id": *"node-1".*"api_pin": *"\([^"]*\)".*/\1/p' "$MEDTRAIL_CLUSTER_DIR/cluster.json")
[ -n "$node_api_pin" ] || fail "cluster.json names no api_pin for node-1"

# ---- nginx: the shipped config, filled in ---------------------------------------------------

conf=$work/nginx
mkdir -p "$conf/cache" "$conf/acme/.well-known/acme-challenge" "$conf/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$conf/tls/key.pem" -out "$conf/tls/cert.pem" 2>"$work/openssl.log" ||
  { cat "$work/openssl.log" >&2; fail "openssl could not make a certificate"; }
sed -e "s|@SERVER_NAME@|localhost|g" -e "s|@HTTPS_LISTEN@|127.0.0.1:$https_port|g" \
  -e "s|@HTTP_LISTEN@|127.0.0.1:$http_port|g" -e "s|@TLS_CERT@|$conf/tls/cert.pem|g" \
  -e "s|@TLS_KEY@|$conf/tls/key.pem|g" -e "s|@ACME_ROOT@|$conf/acme|g" -e "s|@CACHE_DIR@|$conf/cache|g" \
  -e "s|@NODE_PUBLIC@|$node_public|g" -e "s|@PROXY_ADDRESS@|$proxy|g" \
  "$repo/deploy/nginx/medtrail-public.conf" >"$conf/medtrail-public.conf"
left=$(grep -v '^ *#' "$conf/medtrail-public.conf" | grep -o '@[A-Z_]*@' | sort -u || true)
[ -z "$left" ] || fail "placeholders left unfilled: $left"
# The http context of Debian's /etc/nginx/nginx.conf, with everything that writes kept in $conf.
# nginx ignores `user` unless its master runs as root; as root, the workers stay root so they can
# write the cache in this private directory.
{
  [ "$(id -u)" = 0 ] && echo "user root;"
  cat <<EOF
worker_processes 1;
pid $conf/nginx.pid;
error_log $conf/error.log info;
events { worker_connections 256; }
http {
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    access_log $conf/access.log;
    gzip on;
    client_body_temp_path $conf/body;
    proxy_temp_path $conf/proxy;
    fastcgi_temp_path $conf/fastcgi;
    uwsgi_temp_path $conf/uwsgi;
    scgi_temp_path $conf/scgi;
    include $conf/medtrail-public.conf;
}
EOF
} >"$conf/nginx.conf"
"$nginx" -t -p "$conf/" -c "$conf/nginx.conf" -e "$conf/error.log" >"$work/nginx-t.log" 2>&1 ||
  { cat "$work/nginx-t.log" >&2; fail "nginx -t refuses the config"; }
"$nginx" -p "$conf/" -c "$conf/nginx.conf" -e "$conf/error.log" -g 'daemon off;' >>"$work/nginx.log" 2>&1 &
nginx_pid=$!
for ((i = 0; i < 50; i++)); do
  port_in_use "$https_port" && break
  kill -0 "$nginx_pid" 2>/dev/null || { cat "$conf/error.log" >&2; fail "nginx exited"; }
  sleep 0.1
done
port_in_use "$https_port" || { cat "$conf/error.log" >&2; fail "nginx does not listen on $https_port"; }

# ---- helpers --------------------------------------------------------------------------------

# GET PATH through nginx (https) as client FROM; prints the status. The answer's head is in
# $work/head, its body in $work/body.
via_nginx() {
  local from=$1 path=$2
  shift 2
  curl -s --max-time 10 --interface "$from" --cacert "$conf/tls/cert.pem" -D "$work/head" -o "$work/body" \
    -w '%{http_code}' "$@" "https://127.0.0.1:$https_port$path" || echo 000
}
# GET PATH from the node's public listener directly, as client FROM.
direct() {
  local from=$1 path=$2
  shift 2
  curl -s --max-time 10 --interface "$from" -D "$work/head" -o "$work/body" -w '%{http_code}' "$@" \
    "http://$node_public$path" || echo 000
}
header() { tr -d '\r' <"$work/head" | sed -n "s/^$1: *//Ip" | tail -1; }
body() { head -c 300 "$work/body"; }
# The node's own lookup refusal (its message, passed through nginx unchanged).
is_node_lookup_refusal() { grep -q '"message":"too many lookups from this address' "$work/body"; }

# How many times node-1 answered route pattern ROUTE [with STATUS], from its members' /metrics.
node_answers() {
  curl -s --max-time 10 -k --pinnedpubkey "$node_api_pin" "https://$node_api/metrics" |
    awk -v route="route=\"$1\"" -v status="status=\"${2:-}" \
      '/^medtrail_http_requests_total\{/ && index($0, route) && index($0, status) { n += $NF } END { print n + 0 }'
}

# Known codes, each usable once per form (JSON, page) before nginx caches it.
mapfile -t known < <(awk -F'\t' '{ print $1 "/" $2 "\t" $3 }' "$codes")
known_path() { echo "$2${known[$1]%%$'\t'*}"; }  # INDEX PREFIX
known_word() { echo "${known[$1]##*$'\t'}"; }

# ---- a lookup through nginx: the node's answer ------------------------------------------------

status=$(via_nginx "$client_b" "$(known_path 0 /v1/trace/)")
[ "$status" = 200 ] || fail "B's lookup through nginx: $status $(body)"
grep -q "\"status\":\"$(known_word 0)\"" "$work/body" || fail "B's lookup is not $(known_word 0): $(body)"
[ "$(header x-cache-status)" = MISS ] || fail "B's first lookup was not a MISS: $(header x-cache-status)"

# ---- (a) the node counts lookups by the client nginx forwards ---------------------------------

refused=
for ((i = 1; i <= 2 * lookup_burst; i++)); do
  status=$(via_nginx "$client_a" "/v1/trace/tableware/unknown-a-$i")
  case "$status" in
    404) ;;
    429) refused=$i; break ;;
    *) fail "A's lookup $i of an unknown batch through nginx: $status $(body)" ;;
  esac
done
[ -n "$refused" ] || fail "A made $((2 * lookup_burst)) lookups through nginx and the node never said 429"
is_node_lookup_refusal && [ -n "$(header x-cache-status)" ] ||
  fail "A's 429 is not the node's lookup limit: $(body)"
[ -n "$(header retry-after)" ] || fail "the node's 429 came through nginx without Retry-After"
[ "$refused" -gt 1 ] || fail "A's very first lookup was refused: the node counted someone else's lookups"

status=$(via_nginx "$client_b" "$(known_path 1 /trace/)")
[ "$status" = 200 ] ||
  fail "B's lookup after A ran out: $status $(body) (the node counts nginx's address, not the client's)"
grep -q "data-status=\"$(known_word 1)\"" "$work/body" || fail "B's page does not show $(known_word 1)"

status=$(via_nginx "$client_a" /v1/trace/tableware/unknown-a-forged -H "X-Forwarded-For: 127.0.0.9")
[ "$status" = 429 ] && is_node_lookup_refusal ||
  fail "A escaped its limit with its own X-Forwarded-For through nginx: $status $(body)"

# ---- (b) X-Forwarded-For from an untrusted peer is ignored -------------------------------------

refused=
for ((i = 1; i <= 2 * lookup_burst; i++)); do
  status=$(direct "$forger" "/v1/trace/tableware/unknown-f-$i" -H "X-Forwarded-For: $client_b")
  case "$status" in
    404) ;;
    429) refused=$i; break ;;
    *) fail "the forger's direct lookup $i: $status $(body)" ;;
  esac
done
[ -n "$refused" ] && is_node_lookup_refusal ||
  fail "the forger made $((2 * lookup_burst)) direct lookups naming B and was never refused"
for hop in 10.0.0.1 "10.0.0.2, $proxy" 2001:db8::1; do
  status=$(direct "$forger" /v1/trace/tableware/unknown-f-rotated -H "X-Forwarded-For: $hop")
  [ "$status" = 429 ] || fail "the forger escaped its limit with X-Forwarded-For: $hop ($status $(body))"
done
status=$(via_nginx "$client_b" "$(known_path 2 /v1/trace/)")
[ "$status" = 200 ] ||
  fail "B's lookup after the forger named B directly: $status $(body) (the node believed an untrusted peer)"

# ---- (c) nginx's cache ---------------------------------------------------------------------

page=$(known_path 0 /trace/)
page_route="${page%/*}/{code}"
status=$(via_nginx "$client_e" "$page")
[ "$status" = 200 ] && [ "$(header x-cache-status)" = MISS ] ||
  fail "E's first page: $status, X-Cache-Status $(header x-cache-status)"
cp "$work/body" "$work/first-page"
before=$(node_answers "$page_route")
status=$(via_nginx "$client_e" "$page")
[ "$status" = 200 ] && [ "$(header x-cache-status)" = HIT ] ||
  fail "E's second page: $status, X-Cache-Status $(header x-cache-status) (not from the cache)"
cmp -s "$work/body" "$work/first-page" || fail "the cached page differs from the node's"
status=$(via_nginx "$client_e" "$page?fresh=1")
[ "$status" = 200 ] && [ "$(header x-cache-status)" = HIT ] ||
  fail "a query string bought a miss: $status, X-Cache-Status $(header x-cache-status)"
after=$(node_answers "$page_route")
[ "$before" = "$after" ] || fail "the node answered $page_route $((after - before)) more times despite the cache"

status=$(via_nginx "$client_e" /checkpoint)
[ "$status" = 200 ] || fail "/checkpoint through nginx: $status $(body)"
[ "$(header cache-control)" = max-age=2 ] || fail "/checkpoint's Cache-Control: $(header cache-control)"
size=$(sed -n 2p "$work/body")
[[ "$size" =~ ^[0-9]+$ ]] && [ "$size" -gt 0 ] || fail "/checkpoint has no tree size: $(body)"
tile=/tile/0/000
[ "$size" -ge 256 ] || tile="/tile/0/000.p/$size"
status=$(via_nginx "$client_e" "$tile")
[ "$status" = 200 ] && [[ "$(header cache-control)" == *immutable* ]] ||
  fail "$tile through nginx: $status, Cache-Control $(header cache-control)"
status=$(via_nginx "$client_e" "$tile")
[ "$status" = 200 ] && [ "$(header x-cache-status)" = HIT ] || fail "$tile was not cached: $(header x-cache-status)"

# ---- (d) nginx's own limit, before the node --------------------------------------------------

# One connection, 100 lookups of the cached page as fast as curl sends them: 5/s with a burst of
# 30 lets about 31 through unless sending them took more than 13 s.
flood=()
for ((i = 0; i < 100; i++)); do flood+=(-o /dev/null "https://127.0.0.1:$https_port$page"); done
curl -s --max-time 60 --interface "$flooder" --cacert "$conf/tls/cert.pem" \
  -w '%{http_code} %header{x-cache-status}\n' "${flood[@]}" >"$work/flood" || true
passed=$(grep -c '^200 ' "$work/flood" || true)
refused=$(grep -c '^429 $' "$work/flood" || true)
[ "$passed" -ge 1 ] && [ "$refused" -ge 1 ] ||
  fail "a flood of 100 through nginx: $passed answered, $refused refused by nginx ($(sort "$work/flood" | uniq -c | tr '\n' ' '))"
status=$(via_nginx "$flooder" "$page")
[ "$status" = 429 ] && [ -z "$(header x-cache-status)" ] && [ "$(header retry-after)" = 1 ] ||
  fail "nginx's refusal: $status, X-Cache-Status '$(header x-cache-status)', Retry-After '$(header retry-after)'"
grep -q '^{"error":{"code":"rate_limited",' "$work/body" || fail "nginx's 429 is not in the node's error shape: $(body)"

# ---- what nginx does not serve ---------------------------------------------------------------

for path in /tile/entries/000 /v1/status /metrics /v1/records/0 /; do
  status=$(via_nginx "$client_e" "$path")
  [ "$status" = 404 ] || fail "$path through nginx: $status (only the public GETs go to the node)"
done
status=$(via_nginx "$client_e" "$(known_path 0 /v1/trace/)" -X POST -d x)
[ "$status" = 405 ] || fail "a POST through nginx: $status"
# nginx asks the node a GET for a HEAD it cannot answer from the cache (the node answers HEAD too).
status=$(via_nginx "$client_e" "$(known_path 3 /trace/)" -I)
[ "$status" = 200 ] || fail "a HEAD through nginx: $status"
echo token >"$conf/acme/.well-known/acme-challenge/t"
[ "$(curl -s --max-time 10 "http://127.0.0.1:$http_port/.well-known/acme-challenge/t")" = token ] ||
  fail "the ACME webroot is not served on plain HTTP"
status=$(curl -s --max-time 10 -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$http_port$page")
[ "$status" = "301 https://127.0.0.1$page" ] || fail "plain HTTP is not redirected to https: $status"

# The node's lookup refusals of A and the forger, as an operator sees them.
[ "$(node_answers "/v1/trace/tableware/{code}" 429)" -ge 2 ] ||
  fail "node-1's metrics do not count the lookups it refused"
echo "nginx_proxy_test: through nginx, lookups counted per forwarded client; forged X-Forwarded-For ignored; cache HIT; nginx refused $refused of a 100-request flood"
