#!/usr/bin/env bash
# The unauthenticated harvest (issue "reads for the people the chain serves", docs/api-auth.md):
# starts a 3-node cluster, plays the demo story (prescriptions, dispenses, vaccines, tableware,
# access events), then walks every route an anonymous client can reach — status, health,
# metrics, every block, every checkpoint, every inclusion and consistency proof, every record id
# the story made — and fails if any payload, patient ref, person id, licence, key, drug or
# diagnosis code of the story appears in what came back — the citizen's lookups of the story's
# dose, batch and prescription included (the public-field walk). A member's signed read of the same
# record must show the payload (the needles are real, the walk could have found them). Then the
# nodes' logs are scanned for every patient identifier, confidential field and secret of the story.
#
# Environment: MEDTRAIL_BIN_DIR (the build directory holding medtrail and medtrail-node).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
: "${MEDTRAIL_BIN_DIR:?set MEDTRAIL_BIN_DIR to the build directory}"
export MEDTRAIL_BIN_DIR
medtrail=$MEDTRAIL_BIN_DIR/client/medtrail
[ -x "$medtrail" ] || medtrail=$MEDTRAIL_BIN_DIR/medtrail

work=$(mktemp -d)
export MEDTRAIL_CLUSTER_DIR=$work/cluster
cleanup() {
  "$repo/scripts/cluster" down --purge >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "api_harvest_test: FAIL: $*" >&2; exit 1; }

# Ports below the kernel's ephemeral range, so the other tests' picks do not collide.
started=
for attempt in 1 2 3 4 5; do
  base=$((10000 + (RANDOM % 900) * 20))
  if MEDTRAIL_PEER_PORT_BASE=$base MEDTRAIL_API_PORT_BASE=$((base + 10)) MEDTRAIL_PUBLIC_PORT_BASE=$((base + 15)) \
      "$repo/scripts/cluster" up 3 >"$work/up.log" 2>&1; then
    started=1
    break
  fi
  "$repo/scripts/cluster" down --purge >/dev/null 2>&1 || true
done
[ -n "$started" ] || { cat "$work/up.log" >&2; fail "the cluster did not start"; }
"$repo/scripts/demo-story" >"$work/story.log" 2>&1 || { cat "$work/story.log" >&2; fail "the story failed"; }

story=$MEDTRAIL_CLUSTER_DIR/demo/story
mapfile -t api_urls < <(sed -n 's/.*"api_url": *"\([^"]*\)".*/\1/p' "$MEDTRAIL_CLUSTER_DIR/cluster.json")
# The members' APIs serve HTTPS with each node's own identity: curl pins its key, as the CLI does.
mapfile -t api_pins < <(sed -n 's/.*"api_pin": *"\([^"]*\)".*/\1/p' "$MEDTRAIL_CLUSTER_DIR/cluster.json")
[ ${#api_pins[@]} -eq ${#api_urls[@]} ] || fail "cluster.json: not one api_pin per api_url"
for url in "${api_urls[@]}"; do case "$url" in https://*) ;; *) fail "$url: the local cluster's API is not HTTPS" ;; esac; done

# The needles: what an anonymous caller must never see.
needles=$work/needles.txt
{
  # Every envelope's payload, as it travels (base64).
  sed -n 's/.*"payload": *"\([^"]*\)".*/\1/p' "$story"/*.envelope.json
  # Patient refs, drugs, diagnoses, dosages, in every record; people — ids, names, licences,
  # keys — as their organisations registered them.
  grep -ohE '"(patient_ref|actor|drug_code|name|diagnosis_code|dosage)": *"[^"]*"' "$story"/*.payload.json |
    sed 's/^"[a-z_]*": *"//; s/"$//'
  grep -ohE '"(user_id|display_name|licence_no|public_key)": *"[^"]*"' "$story"/*identity.register.payload.json |
    sed 's/^"[a-z_]*": *"//; s/"$//'
  # Every record id of the story but the prescription's: its id is the citizen's capability, the
  # very thing a lookup is asked with.
  cut -f5 "$story/records.tsv" | grep -vx "$(awk -F'\t' '$2 == "rx.issue" { print $5; exit }' "$story/records.tsv")"
  # The prescription's confidential fields as the doctor wrote them: sealed on the chain, so
  # in no payload above (checked below), and never to be found anywhere anonymously either.
  printf '%s\n' J02.9 "Amoxicillin capsules" "500 mg (2 capsules) three times a day" "left deltoid"
  # A suspected adverse event is the vaccinee's health: neither its kind nor its symptoms show.
  printf '%s\n' vaccine.aefi "fever 38.2 C six hours after the dose"
  # Nor do consultations, offline or online, nor what the doctor noted.
  printf '%s\n' visit.record "blood pressure 152/96 on three visits; start amlodipine"
  # Nor do insurance claims, the patient's money.
  printf '%s\n' claim.submit claim.settle
} | sort -u | awk 'length($0) >= 5' >"$needles"
[ "$(wc -l <"$needles")" -ge 60 ] || fail "too few needles ($(wc -l <"$needles")): the story changed?"
for must in J01CA04 J02.9 hosp-xa-01/dr-li; do grep -qxF "$must" "$needles" || fail "needle $must missing"; done
[ -s "$story/codes.tsv" ] || fail "the story wrote no codes.tsv"

# The walk, every node.
seen=$work/seen.txt
: >"$seen"
# A lookup's proof carries its public facts as hex (docs/trace.md): they are searched decoded too.
decode_proof_facts() { # BODY_FILE
  python3 - "$1" <<'PY' || true
import json, sys
try:
    proof = json.load(open(sys.argv[1])).get("proof") or {}
except (ValueError, AttributeError):
    sys.exit(0)
for state in proof.get("states", []):
    if isinstance(state.get("value"), str):
        print(bytes.fromhex(state["value"]).decode("utf-8", "replace"))
PY
}
walk() { # URL EXPECTED_STATUS...
  local url=$1 code
  shift
  code=$(curl -s --max-time 20 -k --pinnedpubkey "$pin" -o "$work/body" -w '%{http_code}' "$url") || code=000
  cat "$work/body" >>"$seen"
  echo >>"$seen"
  case "$url" in */v1/trace/*) decode_proof_facts "$work/body" >>"$seen" ;; esac
  local want
  for want in "$@"; do [ "$code" = "$want" ] && return 0; done
  fail "GET $url answered $code, expected $*: $(head -c 300 "$work/body")"
}
for k in "${!api_urls[@]}"; do
  url=${api_urls[k]}
  pin=${api_pins[k]}
  walk "$url/v1/status" 200
  height=$(sed -n 's/.*"height":\([0-9]*\).*/\1/p' "$work/body")
  size=$(sed -n 's/.*"tree_size":\([0-9]*\).*/\1/p' "$work/body")
  [ "${height:-0}" -gt 20 ] && [ "${size:-0}" -gt 20 ] || fail "$url: a chain of $height blocks, $size leaves?"
  walk "$url/healthz" 200
  walk "$url/readyz" 200 503
  walk "$url/metrics" 200
  walk "$url/v1/checkpoints/latest" 200 404
  # The C2SP tlog-tiles face: the note and the hash tiles are public, entry bundles are not.
  walk "$url/checkpoint" 200 404
  for ((t = 0; t * 256 < size; t++)); do
    w=$((size - t * 256))
    if [ "$w" -ge 256 ]; then walk "$url/tile/0/$(printf %03d "$t")" 200
    else walk "$url/tile/0/$(printf %03d "$t").p/$w" 200; fi
    walk "$url/tile/entries/$(printf %03d "$t").p/1" 401
  done
  for ((h = 1; h <= height; h++)); do
    walk "$url/v1/blocks/$h" 200
    grep -q '"record_ids"' "$work/body" && fail "$url/v1/blocks/$h lists record ids to an anonymous caller"
    walk "$url/v1/checkpoints/$h" 200 404
  done
  for ((i = 0; i < size; i++)); do
    walk "$url/v1/proofs/inclusion?leaf=$i&tree_size=$size" 200
    [ "$i" -gt 0 ] && walk "$url/v1/proofs/consistency?from=$i&to=$size" 200
  done
  while read -r id; do
    walk "$url/v1/records/$id" 401
  done < <(cut -f5 "$story/records.tsv")
  # The citizen's lookups: each code shows its word, as JSON and as the page; an unknown code
  # is 404 with the same shape; a malformed one 400. All of it joins the walk's answers.
  while IFS=$'\t' read -r kind code want; do
    walk "$url/v1/trace/$kind/$code" 200
    grep -q "\"status\":\"$want\"" "$work/body" || fail "$url/v1/trace/$kind/$code: not $want: $(head -c 300 "$work/body")"
    walk "$url/trace/$kind/$code" 200
    grep -q "data-status=\"$want\"" "$work/body" || fail "$url/trace/$kind/$code: the page does not show $want"
  done <"$story/codes.tsv"
  walk "$url/v1/trace/vaccine/86901234569999999999" 404
  grep -q '"status":"UNKNOWN_CODE"' "$work/body" || fail "an unknown dose is not UNKNOWN_CODE"
  walk "$url/v1/trace/rx/$(printf 'f%.0s' {1..64})" 404
  walk "$url/v1/trace/vaccine/not-a-code" 400
  walk "$url/trace/tableware/a%20b" 400
done

found=$(grep -oFf "$needles" "$seen" | sort -u | head -5 || true)
[ -z "$found" ] || fail "anonymous answers carry story data: $found"

# The control: a member's signed read returns the very payload the walk looked for.
rx=$(awk -F'\t' '$2 == "rx.issue" { print $5; exit }' "$story/records.tsv")
"$medtrail" get "/v1/records/$rx" --node "${api_urls[0]}" --genesis "$MEDTRAIL_CLUSTER_DIR/genesis.json" \
  --key "$MEDTRAIL_CLUSTER_DIR/demo/people/sx-mpa/insp-liu.json" --as sx-mpa/insp-liu \
  >"$work/member.json" 2>"$work/member.err" || fail "the inspector's read failed: $(cat "$work/member.err")"
payload=$(sed -n 's/.*"payload": *"\([^"]*\)".*/\1/p' "$story/2.1-rx.issue.envelope.json")
grep -qF "$payload" "$work/member.json" || fail "the inspector's read does not carry the prescription"
# Its confidential fields are sealed (docs/privacy.md): not in the payload any node holds or
# serves, even to a member; the regulator opens them with its own keyring, on its side.
decoded=$(printf '%s' "$payload" | base64 -d)
case "$decoded" in *J02.9* | *Amoxicillin* | *"three times a day"*) fail "confidential fields in clear on the chain: $decoded" ;; esac
# The demo's chain is erasable: the regulator also asks the key service (node-3) for the share.
"$medtrail" open --record "$work/member.json" --org sx-mpa --keyring "$MEDTRAIL_CLUSTER_DIR/orgs/sx-mpa/encryption.key" \
  --key-service "${api_urls[2]}" --genesis "$MEDTRAIL_CLUSTER_DIR/genesis.json" \
  --key "$MEDTRAIL_CLUSTER_DIR/demo/people/sx-mpa/insp-liu.json" --as sx-mpa/insp-liu --purpose audit \
  >"$work/opened.json" 2>"$work/open.err" || fail "the regulator cannot open the prescription: $(cat "$work/open.err")"
grep -q '"diagnosis_code": "J02.9"' "$work/opened.json" || fail "the opened prescription has no diagnosis: $(cat "$work/opened.json")"

# The citizen's CLI: the given dose is ALREADY_ADMINISTERED (exit 1), a dose in stock GENUINE
# (exit 0), each word proven from the chain's public facts against the answer's checkpoint, which
# is checked against the genesis and against the one verified before, kept in the state dir; the
# delivered prescription is proven DELIVERED (exit 0) from its public facts the same way.
dose_given=$(awk -F'\t' '$3 == "ALREADY_ADMINISTERED" { print $2; exit }' "$story/codes.tsv")
dose_stock=$(awk -F'\t' '$1 == "vaccine" && $3 == "GENUINE" { print $2; exit }' "$story/codes.tsv")
state=$work/state
trace() { # CODE NODE_URL
  "$medtrail" trace "$1" --node "$2" --genesis "$MEDTRAIL_CLUSTER_DIR/genesis.json" --state-dir "$state"
}
rc=0
trace "$dose_given" "${api_urls[1]}" >"$work/trace.out" 2>&1 || rc=$?
[ "$rc" = 1 ] && [ "$(head -1 "$work/trace.out")" = ALREADY_ADMINISTERED ] && grep -q "^chain verified" "$work/trace.out" ||
  fail "medtrail trace of the given dose: exit $rc, $(cat "$work/trace.out")"
grep -q "^proven: ALREADY_ADMINISTERED, as of block" "$work/trace.out" || fail "the given dose is not proven: $(cat "$work/trace.out")"
grep -q "the first checkpoint this tool has verified" "$work/trace.out" || fail "no first checkpoint: $(cat "$work/trace.out")"
kept=$(ls "$state"/*.checkpoint.json) || fail "medtrail trace kept no checkpoint in $state"
trace "$dose_stock" "${api_urls[2]}" >"$work/trace.out" 2>&1 || fail "medtrail trace of a dose in stock: $(cat "$work/trace.out")"
[ "$(head -1 "$work/trace.out")" = GENUINE ] && grep -q "^proven: GENUINE, as of block" "$work/trace.out" ||
  fail "medtrail trace of a dose in stock: $(cat "$work/trace.out")"
batch=$(awk -F'\t' '$1 == "tableware" { print $2; exit }' "$story/codes.tsv")
trace "$batch" "${api_urls[0]}" >"$work/trace.out" 2>&1 && grep -q "^proven: GENUINE, as of block" "$work/trace.out" ||
  fail "medtrail trace of the batch: $(cat "$work/trace.out")"
rx_code=$(awk -F'\t' '$1 == "rx" { print $2; exit }' "$story/codes.tsv")
trace "$rx_code" "${api_urls[0]}" >"$work/trace.out" 2>&1 && [ "$(head -1 "$work/trace.out")" = DELIVERED ] &&
  grep -q "^proven: DELIVERED, as of block" "$work/trace.out" ||
  fail "medtrail trace of the prescription: $(cat "$work/trace.out")"
grep -Eq "the same tree as before|extends the tree of|the node is behind" "$work/trace.out" ||
  fail "the second trace did not relate its checkpoint to the first: $(cat "$work/trace.out")"
# A history other than the one verified before (here: the kept root, changed) is caught, with
# both checkpoints as evidence — by the citizen's lookup as by checkpoint watch.
python3 - "$kept" <<'PY'
import json, sys
kept = json.load(open(sys.argv[1]))
root = kept["tree_root"]
kept["tree_root"] = ("1" if root[0] == "0" else "0") + root[1:]
json.dump(kept, open(sys.argv[1], "w"))
PY
rc=0
trace "$dose_stock" "${api_urls[0]}" >"$work/trace.out" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -Eq "history_diverges|not_consistent" "$work/trace.out" && grep -q "verified before" "$work/trace.out" ||
  fail "a forked history went unnoticed by medtrail trace: exit $rc, $(cat "$work/trace.out")"

# The nodes' logs after the whole story (docs/privacy.md): no patient identifier, no confidential
# field, no secret. (/metrics was in the walk above, against every needle.)
log_needles=$work/log-needles.txt
{
  # The national ids the story's desks turned into refs, and the refs.
  grep -ohE '\b[0-9]{17}[0-9X]\b' "$repo/scripts/demo-story"
  grep -ohE '"patient_ref": *"[^"]*"' "$story"/*.payload.json | sed 's/^"[a-z_]*": *"//; s/"$//'
  printf '%s\n' J02.9 "Amoxicillin capsules" "500 mg (2 capsules) three times a day" "left deltoid"
  grep -ohE '"(display_name|licence_no)": *"[^"]*"' "$story"/*identity.register.payload.json |
    sed 's/^"[a-z_]*": *"//; s/"$//'
  # Every secret the cluster and its people hold: signing, encryption and pseudonym keys, the TLS
  # keys' PEM bodies, the patient's slip key.
  find "$MEDTRAIL_CLUSTER_DIR" \( -name '*.key' -o -path '*/demo/people/*.json' \) -type f -print0 |
    xargs -0 grep -ohE '"(secret_key|secret|private_key|key)": *"[0-9a-f]{32,}"' | sed 's/^"[a-z_]*": *"//; s/"$//'
  find "$MEDTRAIL_CLUSTER_DIR" -name 'tls.key' -type f -print0 | xargs -0 grep -hv '^-----'
  find "$MEDTRAIL_CLUSTER_DIR" -name '*.slip.key' -type f -print0 | xargs -0 cat
} | sort -u | awk 'length($0) >= 5' >"$log_needles"
[ "$(grep -cE '^[0-9a-f]{64}$' "$log_needles")" -ge 5 ] || fail "too few refs and secrets among the log needles: the story changed?"
grep -qxF 610113198807152310 "$log_needles" || fail "log needle 610113198807152310 missing"
logs=("$MEDTRAIL_CLUSTER_DIR"/logs/*.log)
[ ${#logs[@]} -eq ${#api_urls[@]} ] || fail "not one log per node: ${logs[*]}"
for log in "${logs[@]}"; do [ "$(wc -l <"$log")" -ge 5 ] || fail "$log: too short to be the node's log"; done
found=$(grep -ohFf "$log_needles" "${logs[@]}" | sort -u | head -5 || true)
[ -z "$found" ] || fail "the nodes' logs carry patient data or secrets: $found"

echo "api_harvest_test: $(wc -l <"$needles") needles, $(wc -l <"$seen") anonymous answers from ${#api_urls[@]} nodes: none leaked;" \
  "$(wc -l <"$log_needles") identifiers and secrets in $(cat "${logs[@]}" | wc -l) log lines: none"
