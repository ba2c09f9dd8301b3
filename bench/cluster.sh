#!/usr/bin/env bash
# Scale-out benchmarks (issue 21). Usage: bench/cluster.sh [reads|streams|all] [--redis] [--seconds N] [--streams N]
#   [--tokens N]   (tokens per narration, one every 100 ms; 40 by default)
#   reads:   API read throughput of one node, then of two nodes on the same PostgreSQL (wrk on loopback, the same
#            total connections split over the nodes); prints requests per second and p99 for each.
#   streams: N concurrent narrations (1,000 by default) spread over two in-process nodes, each read from the node
#            that does not narrate it: errors and relay latency (bench/StoryEngine.Bench/Cluster/ClusterStreamsBench).
#   --redis: the nodes talk through a throwaway redis-server (scripts/lib/redis.sh) instead of LISTEN/NOTIFY.
# Starts a throwaway PostgreSQL (scripts/lib/postgres.sh); wrk and redis-server come from Debian's packages (installed
# here when missing and run as root). Two nodes on one machine share its cores: the reads figure shows what the
# second process costs or gains on this machine, not what a second machine would add. Numbers from a busy machine
# are not quotable: the load average is printed before and after.
set -euo pipefail
cd "$(dirname "$0")/.."
WHAT=${1:-all}; shift || true
REDIS=""; SECONDS_PER_RUN=10; STREAMS=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --redis) REDIS=1 ;;
    --seconds) SECONDS_PER_RUN=$2; shift ;;
    --streams) STREAMS=$2; shift ;;
    --tokens) TOKENS=$2; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
COMMAND="bench/cluster.sh $WHAT${REDIS:+ --redis} --seconds $SECONDS_PER_RUN --streams $STREAMS${TOKENS:+ --tokens $TOKENS}"
source bench/lib/bench-common.sh
source scripts/lib/postgres.sh
source scripts/lib/redis.sh
OUT=artifacts/bench-cluster
DATA=$(mktemp -d /tmp/storyengine-bench-cluster.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$DATA"; stop_redis; stop_postgres; }
trap cleanup EXIT
start_postgres >&2
export ConnectionStrings__Postgres="$PG_CONNECTION;Maximum Pool Size=200"
if [ -n "$REDIS" ]; then start_redis >&2; export Redis__Configuration="$REDIS_CONFIGURATION"; fi

echo "## Scale-out benchmarks (issue 21) — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- command: \`$COMMAND\`"
echo "- machine: $(describe_machine)"
echo "- commit $(git rev-parse --short HEAD); bus: ${REDIS:+Redis pub/sub}${REDIS:-PostgreSQL LISTEN/NOTIFY}"
echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

if [ "$WHAT" = reads ] || [ "$WHAT" = all ]; then
  if ! command -v wrk >/dev/null; then
    [ "$(id -u)" = 0 ] || { echo "wrk is missing: sudo apt-get install wrk" >&2; exit 1; }
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  fi
  dotnet publish src/StoryEngine.Server -c Release -o "$OUT" --nologo -v quiet >/dev/null
  export Logging__LogLevel__Default=Warning RateLimits__ApiPerMinute=100000000 RateLimits__AuthPerMinute=100000
  # Ports of our own (a fixed one may be another bench's on a shared machine).
  P1=${BENCH_PORT:-$((20000 + RANDOM % 20000))}; P2=$((P1 + 1))
  start_node() { # port
    "$OUT/storyengine" serve --data-dir "$DATA" --urls "http://127.0.0.1:$1" >"$DATA/node-$1.log" 2>&1 &
    local pid=$!
    PIDS+=($pid)
    until curl -sf "http://127.0.0.1:$1/health/ready" >/dev/null; do
      kill -0 "$pid" 2>/dev/null || { echo "node on port $1 exited:" >&2; tail -5 "$DATA/node-$1.log" >&2; exit 1; }
      sleep 0.05
    done
  }
  start_node "$P1"
  json() { curl -sf -H 'content-type: application/json' "$@"; }
  BASE=http://127.0.0.1:$P1
  json -X POST "$BASE/api/v1/auth/register" -d '{"username":"bench","password":"benchmark password"}' >/dev/null
  TOKEN=$(json -X POST "$BASE/api/v1/auth/login" -d '{"username":"bench","password":"benchmark password"}' | sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')
  AUTH="Authorization: Bearer $TOKEN"
  WORLD=$(json -X POST -H "$AUTH" "$BASE/api/v1/worlds" -d '{"name":"Bench world","description":"Read me."}' | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
  for i in $(seq 1 50); do
    json -o /dev/null -X POST -H "$AUTH" "$BASE/api/v1/worlds/$WORLD/characters" -d "{\"name\":\"Character $i\"}"
  done
  PATH_READ="/api/v1/worlds/$WORLD/characters?limit=20"
  run_wrk() { # port connections -> "rps p99ms"
    wrk -t2 -c"$2" -d"${SECONDS_PER_RUN}s" --latency -H "$AUTH" "http://127.0.0.1:$1$PATH_READ" |
      awk '/Requests\/sec/ {rps=$2} /^ +99%/ {v=$2; if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; p99=v} END {printf "%.0f %.1f", rps, p99}'
  }
  read -r one_rps one_p99 <<<"$(run_wrk "$P1" 128)"
  start_node "$P2"
  run_wrk "$P1" 64 >"$DATA/a.txt" & WA=$!
  run_wrk "$P2" 64 >"$DATA/b.txt" & WB=$!
  wait $WA $WB
  read -r a_rps a_p99 <<<"$(cat "$DATA/a.txt")"; read -r b_rps b_p99 <<<"$(cat "$DATA/b.txt")"
  echo "### API read throughput: one list page of 20 characters, 128 connections in all"
  echo
  echo "| nodes | requests/s | p99 |"
  echo "|---|---|---|"
  echo "| 1 | $one_rps | $one_p99 ms |"
  echo "| 2 | $((a_rps + b_rps)) ($a_rps + $b_rps) | $a_p99 / $b_p99 ms |"
  echo
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  PIDS=()
fi

if [ "$WHAT" = streams ] || [ "$WHAT" = all ]; then
  build_bench
  # two nodes, a pool of 140 each: within the throwaway server's 300 connections
  dotnet bench/StoryEngine.Bench/bin/Release/net10.0/StoryEngine.Bench.dll cluster-streams \
    --postgres "$PG_CONNECTION;Maximum Pool Size=140" ${REDIS:+--redis "$REDIS_CONFIGURATION"} --streams "$STREAMS" ${TOKENS:+--tokens "$TOKENS"}
fi
echo
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg); whole run ${SECONDS} s (builds included)."
