#!/usr/bin/env bash
# Server benchmark (a script, not a test): builds the release binary, seeds a 1,000-member team
# on a fresh SQLite file, and runs wrk side by side against
#   - GET /healthz                   the baseline: a static JSON body from the same binary
#   - GET /v1/team/states            the 1,000 declarations (plain JSON, ~0.9 MB)
#   - GET /v1/team/states, gzip      the same as a browser asks for it (Accept-Encoding: gzip)
#   - GET /v1/team/states, 304       with If-None-Match (what the extension sends when polling)
#   - PUT /v1/me/state               real writes, each with the right If-Match (put_state.lua)
# then PUT /v1/me/state at a few connections alone and during a flood of bad invite codes on
# POST /v1/join (join_flood.lua; FLOOD_RATE requests/s, 2,500 as in the review that found the
# problem, 0 = as fast as wrk can), printing both medians; then PUT /v1/me/state with every
# write a team event, without a webhook and with one to a black hole (accepts, never answers),
# printing both p99s; then holds 1,000 concurrent long polls and prints the server's memory.
#
#   server/bench/bench.sh            # env: DURATION=10s (in seconds) CONNECTIONS=256 THREADS=2
#                                    #      MEMBERS=1000 POLLS=1000 PUT_CONNECTIONS=4
#                                    #      FLOOD_CONNECTIONS=64 FLOOD_RATE=2500 HOOK_ROUNDS=3
#
# Needs wrk (Debian package) and python3. Goals (DESIGN.md §5): reads ≥ 50 % of the baseline's
# req/s, p99 < 20 ms at 256 connections; a join flood moves PUT's median by less than 2×; a
# black-hole webhook moves PUT's p99 by less than 10 % (issue 17).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-256}"
THREADS="${THREADS:-2}"
MEMBERS="${MEMBERS:-1000}"
POLLS="${POLLS:-1000}"
PUT_CONNECTIONS="${PUT_CONNECTIONS:-4}"
FLOOD_CONNECTIONS="${FLOOD_CONNECTIONS:-64}"
FLOOD_RATE="${FLOOD_RATE:-2500}"
HOOK_ROUNDS="${HOOK_ROUNDS:-3}"

command -v wrk >/dev/null || { echo "bench: wrk not found (apt-get install wrk)" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n 4096

echo "== building (release)"
(cd "$ROOT" && cargo build --release -p standin-server --quiet)
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/standin-server"

WORK="$(mktemp -d -t standin-bench.XXXXXX)"
SERVER_PID=""
cleanup() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
export STANDIN_DATABASE_URL="sqlite://$WORK/bench.db" STANDIN_LOG=warn

echo "== seeding a $MEMBERS-member team"
"$BIN" team create bench >/dev/null
"$BIN" invite --team bench --count "$MEMBERS" 2>/dev/null >"$WORK/codes.txt"
# The token limiter stays in the path but is set far above what wrk sends. The per-address
# join limit is off: seeding joins every member from here, and the join flood below should
# reach the database, as one from many addresses would. The connection cap leaves room for
# the long polls.
# Webhooks: loopback http for the black hole below, posted a second after each event.
"$BIN" serve --listen 127.0.0.1:0 --rate-limit 10000000 --rate-burst 10000000 \
  --address-rate-limit 0 --max-connections $((POLLS + CONNECTIONS + 64)) \
  --allow-insecure-webhooks --webhook-window 1s >"$WORK/serve.out" &
SERVER_PID=$!
for _ in $(seq 100); do grep -q listening "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
ADDR="$(sed -n 's|.*http://\([^ ]*\).*|\1|p' "$WORK/serve.out" | head -n 1)"
URL="http://$ADDR"
python3 "$HERE/seed.py" "$ADDR" <"$WORK/codes.txt" >"$WORK/tokens.txt"
TOKEN="$(head -n 1 "$WORK/tokens.txt" | cut -d' ' -f1)"
AUTH="Authorization: Bearer $TOKEN"
ETAG="$(curl -sf -D - -o "$WORK/states.json" -H "$AUTH" "$URL/v1/team/states" | tr -d '\r' | sed -n 's/^etag: //Ip')"
GZIP_BYTES="$(curl -sf -H "$AUTH" -H 'Accept-Encoding: gzip' "$URL/v1/team/states" | wc -c)"
echo "   states body: $(wc -c <"$WORK/states.json") bytes JSON, $GZIP_BYTES bytes gzip; ETag $ETAG"

# Runs wrk; prints "req/s p50 p99 non2xx" (latencies in ms).
run_wrk() {
  local out
  out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@")"
  echo "$out" >>"$WORK/wrk.log"
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { bad = $5 }
    END { printf "%s %.2f %.2f %d\n", rps, p50, p99, bad }' <<<"$out"
}

echo "== wrk: $THREADS threads, $CONNECTIONS connections, $DURATION each"
declare -A RESULT
RESULT[baseline]="$(run_wrk "$URL/healthz")"
RESULT[states]="$(run_wrk -H "$AUTH" "$URL/v1/team/states")"
RESULT[states_gzip]="$(run_wrk -H "$AUTH" -H 'Accept-Encoding: gzip' "$URL/v1/team/states")"
RESULT[states_304]="$(run_wrk -H "$AUTH" -H "If-None-Match: $ETAG" "$URL/v1/team/states")"
RESULT[put]="$(TOKENS="$WORK/tokens.txt" THREADS="$THREADS" run_wrk -s "$HERE/put_state.lua" "$URL/v1/me/state")"

read -r BASE _ _ _ <<<"${RESULT[baseline]}"
printf '\n%-34s %12s %9s %9s %9s %8s\n' "endpoint" "req/s" "p50 ms" "p99 ms" "vs base" "non-2xx"
for key in baseline states states_gzip states_304 put; do
  read -r rps p50 p99 bad <<<"${RESULT[$key]}"
  case $key in
    baseline) label="GET /healthz (static baseline)" ;;
    states) label="GET /v1/team/states" ;;
    states_gzip) label="GET /v1/team/states (gzip)" ;;
    states_304) label="GET /v1/team/states (304)" ;;
    put) label="PUT /v1/me/state" ;;
  esac
  ratio="$(awk -v a="$rps" -v b="$BASE" 'BEGIN { printf "%.0f %%", 100 * a / b }')"
  printf '%-34s %12s %9s %9s %9s %8s\n' "$label" "$rps" "$p50" "$p99" "$ratio" "$bad"
done

echo
echo "== PUT /v1/me/state at $PUT_CONNECTIONS connections, alone and during a join flood (bad codes, $FLOOD_CONNECTIONS connections, target ${FLOOD_RATE}/s; 0 = unpaced)"
put_alone="$(CONNECTIONS=$PUT_CONNECTIONS THREADS=1 TOKENS="$WORK/tokens.txt" run_wrk -s "$HERE/put_state.lua" "$URL/v1/me/state")"
FLOOD_SECONDS=$(( ${DURATION%s} + 2 ))
# Each connection pauses between requests so that together they send about FLOOD_RATE/s.
FLOOD_DELAY_MS="$(awk -v c="$FLOOD_CONNECTIONS" -v r="$FLOOD_RATE" 'BEGIN { print (r > 0) ? int(1000 * c / r) : 0 }')" \
  wrk -t1 -c"$FLOOD_CONNECTIONS" -d"${FLOOD_SECONDS}s" -s "$HERE/join_flood.lua" "$URL/v1/join" >"$WORK/flood.log" &
FLOOD_PID=$!
sleep 1
put_flood="$(CONNECTIONS=$PUT_CONNECTIONS THREADS=1 TOKENS="$WORK/tokens.txt" run_wrk -s "$HERE/put_state.lua" "$URL/v1/me/state")"
wait "$FLOOD_PID"
flood_rps="$(awk '/^Requests\/sec:/ { print $2 }' "$WORK/flood.log")"
read -r _ alone_p50 _ _ <<<"$put_alone"
read -r _ flood_p50 _ _ <<<"$put_flood"
printf 'PUT median: %s ms alone, %s ms during the flood (%s bad joins/s): %s×\n' \
  "$alone_p50" "$flood_p50" "$flood_rps" "$(awk -v a="$flood_p50" -v b="$alone_p50" 'BEGIN { printf "%.2f", a / b }')"

echo
echo "== PUT /v1/me/state at $PUT_CONNECTIONS connections, every write an event (offline, back): no webhook, then one to a black hole"
# 16 members, so each is written many times a second (a write on a stale version is a 412,
# not an event).
head -n 16 "$WORK/tokens.txt" >"$WORK/tokens16.txt"
put_events() {
  AWAY_EVERY_OTHER=1 CONNECTIONS=$PUT_CONNECTIONS THREADS=1 TOKENS="$WORK/tokens16.txt" \
    run_wrk -s "$HERE/put_state.lua" "$URL/v1/me/state"
}
# The black hole accepts connections and never answers: every post waits out its 10 s.
python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4096)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])
' >"$WORK/hole.port" &
HOLE_PID=$!
for _ in $(seq 50); do [[ -s "$WORK/hole.port" ]] && break; sleep 0.1; done
# Alternating rounds, as the shared machine's load drifts: without a webhook, then with one
# (added, measured, removed).
sum_none=0 sum_hole=0
for round in $(seq "$HOOK_ROUNDS"); do
  read -r none_rps _ none_p99 none_bad <<<"$(put_events)"
  hook_id="$("$BIN" webhook add --team bench --url "http://127.0.0.1:$(cat "$WORK/hole.port")/hook" --kind json | awk '{ print $3 }')"
  read -r hole_rps _ hole_p99 hole_bad <<<"$(put_events)"
  pending="$(sqlite3 "$WORK/bench.db" "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'" 2>/dev/null || echo '?')"
  "$BIN" webhook remove "$hook_id" >/dev/null
  printf 'round %s: PUT p99 %s ms without a webhook (%s req/s, %s non-2xx), %s ms with a black-hole one (%s req/s, %s non-2xx, %s posts pending)\n' \
    "$round" "$none_p99" "$none_rps" "$none_bad" "$hole_p99" "$hole_rps" "$hole_bad" "$pending"
  sum_none="$(awk -v a="$sum_none" -v b="$none_p99" 'BEGIN { print a + b }')"
  sum_hole="$(awk -v a="$sum_hole" -v b="$hole_p99" 'BEGIN { print a + b }')"
done
kill "$HOLE_PID"
printf 'PUT p99, mean of %s rounds: %.2f ms without a webhook, %.2f ms with a black-hole one: %s\n' "$HOOK_ROUNDS" \
  "$(awk -v a="$sum_none" -v n="$HOOK_ROUNDS" 'BEGIN { print a / n }')" \
  "$(awk -v a="$sum_hole" -v n="$HOOK_ROUNDS" 'BEGIN { print a / n }')" \
  "$(awk -v a="$sum_hole" -v b="$sum_none" 'BEGIN { printf "%+.1f %%", 100 * (a - b) / b }')"

echo
echo "== $POLLS concurrent long polls"
python3 "$HERE/longpoll.py" "$ADDR" "$SERVER_PID" "$WORK/tokens.txt" "$POLLS"
echo "server RSS at the end: $(awk '/VmRSS/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$SERVER_PID/status")"
