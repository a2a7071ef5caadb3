#!/usr/bin/env bash
# Fuzzes the team server against its own /openapi.json with schemathesis: every check on, and it
# must find nothing (docs/server.md, "The API document is an exact contract").
#
#   tests/schemathesis.sh              # builds standin-server, starts it on a throwaway SQLite file
#
# The server runs without rate limits (a fuzzer is one client sending thousands of requests),
# with a team, one member and their token, so the authenticated operations are exercised past
# 401. Schemathesis itself is installed by tests/install-deps.sh (pinned, in its own venv).
# Its hooks (tests/schemathesis_hooks.py) fit generated values to the rules JSON Schema cannot
# state; its settings are in tests/schemathesis.toml.
# ST_MAX_EXAMPLES (default 40) bounds the cases per operation and phase; the closing lines give
# the number of generated cases.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
ST="$HOME/.cache/standin/schemathesis-venv/bin/schemathesis"

cargo build --quiet -p standin-server
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/standin-server"
WORK="$(mktemp -d -t standin-fuzz.XXXXXX)"
SERVER=""
cleanup() {
  if [[ -n "$SERVER" ]]; then kill "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

export STANDIN_DATABASE_URL="sqlite://$WORK/fuzz.db" STANDIN_LOG=warn
"$BIN" team create fuzz >/dev/null
INVITE="$("$BIN" invite --team fuzz)"
# Spare codes, so schema-valid joins redeem real invites and reach 201 (the hooks hand them out).
"$BIN" invite --team fuzz --count 500 >"$WORK/invites" 2>/dev/null
export ST_INVITES="$WORK/invites"
"$BIN" serve --listen 127.0.0.1:0 --rate-limit 0 --address-rate-limit 0 >"$WORK/serve.log" 2>&1 &
SERVER=$!
BASE=""
for _ in $(seq 100); do
  BASE="$(sed -n 's/^standin-server listening on \(http:[^ ]*\).*/\1/p' "$WORK/serve.log")"
  [[ -n "$BASE" ]] && break
  sleep 0.1
done
[[ -n "$BASE" ]] || { cat "$WORK/serve.log"; exit 1; }

# Join through the API (Python's standard library: no curl needed); the hooks
# (tests/schemathesis_hooks.py) read the server, the token and the member's id.
eval "$(python3 - "$BASE" "$INVITE" <<'PY'
import json, sys, urllib.request
base, invite = sys.argv[1], sys.argv[2]
body = json.dumps({"invite": invite, "display_name": "Fuzz", "timezone": "UTC"}).encode()
request = urllib.request.Request(f"{base}/v1/join", body, {"Content-Type": "application/json"})
joined = json.load(urllib.request.urlopen(request, timeout=10))
print(f"export ST_BASE_URL={base} ST_TOKEN={joined['token']} ST_MEMBER_ID={joined['member']['id']}")
PY
)"
# No __pycache__ left in the checkout.
export PYTHONPATH="$ROOT/tests${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1

# From the throwaway directory, where schemathesis keeps its cache.
cd "$WORK"
"$ST" --config-file "$ROOT/tests/schemathesis.toml" run "$BASE/openapi.json" \
  --checks all \
  --max-examples "${ST_MAX_EXAMPLES:-40}" \
  --seed "${ST_SEED:-$RANDOM}" \
  --header "Authorization: Bearer $ST_TOKEN" \
  --generation-database none --no-color
