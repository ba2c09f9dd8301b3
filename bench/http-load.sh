#!/usr/bin/env bash
# HTTP load benchmark for the world-building API (issue 2). Usage: bench/http-load.sh [sqlite|postgres] [seconds]
# Builds Release, starts `storyengine serve` on loopback, seeds one world with 5,000 characters, then measures:
# start-to-ready time, idle RSS, wrk at 64 and 256 connections for one character GET, one list page and a page of 50
# real imported cards (and that page's size as summaries and with every field),
# single list-page latency in the 5,000-character world, and RSS after serving it.
# wrk comes from Debian's packages (installed here when missing and run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
ENGINE=${1:-sqlite}
DURATION=${2:-10}
PORT=${BENCH_PORT:-5181}
BASE="http://127.0.0.1:$PORT"
OUT=artifacts/bench
DATA=$(mktemp -d /tmp/storyengine-bench.XXXXXX)

if ! command -v wrk >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "wrk is missing: sudo apt-get install wrk" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

dotnet publish src/StoryEngine.Server -c Release -o "$OUT" --nologo -v quiet >/dev/null
export Logging__LogLevel__Default=Warning
# One benchmark user sends every request: lift the per-user limits so the limiter is measured, not hit.
export RateLimits__ApiPerMinute=100000000 RateLimits__AuthPerMinute=100000 RateLimits__GenerationPerMinute=100000
if [ "$ENGINE" = postgres ]; then
  source scripts/lib/postgres.sh
  start_postgres
  export ConnectionStrings__Postgres="$PG_CONNECTION;Maximum Pool Size=200"
fi

cleanup() { [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; rm -rf "$DATA"; [ "$ENGINE" = postgres ] && stop_postgres; true; }
trap cleanup EXIT

rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$SERVER/status"; }

# Start-to-ready: from spawning the process to the first 200 from /health/ready (includes migrating a fresh database).
start=$(date +%s%N)
"$OUT/storyengine" serve --data-dir "$DATA" --urls "$BASE" >"$DATA/server.log" 2>&1 &
SERVER=$!
until curl -sf "$BASE/health/ready" >/dev/null; do sleep 0.01; done
ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 2
idle_rss=$(rss_mb)

json() { curl -sf -H 'content-type: application/json' "$@"; }
json -X POST "$BASE/api/v1/auth/register" -d '{"username":"bench","password":"benchmark password"}' >/dev/null
TOKEN=$(json -X POST "$BASE/api/v1/auth/login" -d '{"username":"bench","password":"benchmark password"}' | sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')
AUTH="Authorization: Bearer $TOKEN"
WORLD=$(json -X POST -H "$AUTH" "$BASE/api/v1/worlds" -d '{"name":"Bench world","description":"A world with many characters."}' | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
echo "seeding 5000 characters..." >&2
for i in $(seq 1 5000); do
  printf '{"name":"Character %d","description":"Character number %d of the benchmark world, with a paragraph of description to make the row realistic.","personality":"Curious","tags":["bench","n%d"]}\n' "$i" "$i" $((i % 10))
done | xargs -P 4 -d '\n' -I{} curl -sf -o /dev/null -H 'content-type: application/json' -H "$AUTH" -X POST "$BASE/api/v1/worlds/$WORLD/characters" -d '{}'
CHARACTER=$(curl -sf -H "$AUTH" "$BASE/api/v1/worlds/$WORLD/characters?limit=1" | sed -n 's/^{"items":\[{"id":"\([^"]*\)".*/\1/p')
count=$(curl -sf -H "$AUTH" "$BASE/api/v1/worlds/$WORLD/characters?limit=200&q=character" -o /dev/null -w '%{http_code}')

# A second world holds 50 real cards (the fixtures in ../shared/fixtures/cards, imported in turn until there are 50):
# the list page of real cards is what issue 19 measured at 568 KB when lists carried every field.
CARDS=$(json -X POST -H "$AUTH" "$BASE/api/v1/worlds" -d '{"name":"Real cards"}' | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
FIXTURES=(../shared/fixtures/cards/*)
for i in $(seq 0 49); do
  curl -sf -o /dev/null -H "$AUTH" -F "file=@${FIXTURES[$((i % ${#FIXTURES[@]}))]}" "$BASE/api/v1/worlds/$CARDS/characters/import"
done
cards_url="$BASE/api/v1/worlds/$CARDS/characters?limit=50"
cards_bytes=$(curl -sf -H "$AUTH" "$cards_url" | wc -c)
cards_full_bytes=$(curl -sf -H "$AUTH" "$cards_url&fields=*" | wc -c)

one_url="$BASE/api/v1/worlds/$WORLD/characters/$CHARACTER"
list_url="$BASE/api/v1/worlds/$WORLD/characters?limit=50"

# One list page of the 5,000-character world, measured alone (sequential, 200 requests).
for i in $(seq 1 200); do curl -sf -o /dev/null -H "$AUTH" -w '%{time_total}\n' "$list_url"; done | sort -n >"$DATA/list.txt"
list_p50=$(awk '{a[NR]=$1} END {printf "%.2f", a[int(NR*0.50)]*1000}' "$DATA/list.txt")
list_p99=$(awk '{a[NR]=$1} END {printf "%.2f", a[int(NR*0.99)]*1000}' "$DATA/list.txt")
list_rss=$(rss_mb)

load() { # name url connections
  local result; result=$(wrk -t2 -c"$3" -d"${DURATION}s" --latency -H "$AUTH" "$2")
  local rps p50 p99 errors
  rps=$(echo "$result" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$result" | awk '$1=="50%" {print $2}')
  p99=$(echo "$result" | awk '$1=="99%" {print $2}')
  errors=$(echo "$result" | awk '/Non-2xx/ {print $5}')
  echo "| $ENGINE | $1 | $3 | $rps | $p50 | $p99 | ${errors:-0} |"
}

echo "engine=$ENGINE duration=${DURATION}s cores=$(nproc) cpu=\"$(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ //')\""
echo "start-to-ready: ${ready_ms} ms; idle RSS: ${idle_rss} MB; seed check: $count"
echo "list page of 50 real imported cards: ${cards_bytes} bytes as summaries, ${cards_full_bytes} bytes with fields=*"
echo "list page (limit=50) in a 5,000-character world, 200 sequential requests: p50 ${list_p50} ms, p99 ${list_p99} ms; RSS after: ${list_rss} MB"
echo "| engine | request | connections | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|---|"
for c in 64 256; do
  load "GET one character" "$one_url" "$c"
  load "GET list page (50)" "$list_url" "$c"
  load "GET 50 real cards (summaries)" "$cards_url" "$c"
done
echo "RSS after load: $(rss_mb) MB"
