#!/usr/bin/env bash
# Start-up and idle-memory benchmark (issue 19). Usage: bench/startup.sh [rounds]
# Builds the program the way the README installs it (scripts/install.sh: Release, ReadyToRun), then, for each round,
# starts `storyengine serve` on a fresh SQLite data folder and again on the now-migrated one, and measures the time
# from spawning the process to the first 200 from /health/ready, and the resident memory 2 s after that.
# Prints each round, then the median and the spread (min–max) across rounds, with the load average before and after.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-7}
PORT=${BENCH_PORT:-5182}
BASE="http://127.0.0.1:$PORT"
STORYENGINE_BIN_DIR=$(mktemp -d) ./scripts/install.sh >&2
PROGRAM=artifacts/storyengine/storyengine.dll
export Logging__LogLevel__Default=Warning

one_start() { # data-dir → "ready_ms rss_mb"
  local start pid ready rss
  start=$(date +%s%N)
  dotnet "$PROGRAM" serve --data-dir "$1" --urls "$BASE" >>"$1/server.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "$BASE/health/ready"; do
    kill -0 "$pid" 2>/dev/null || { echo "the server exited; see $1/server.log" >&2; exit 1; }
    sleep 0.005
  done
  ready=$(( ($(date +%s%N) - start) / 1000000 ))
  sleep 2
  rss=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$ready $rss"
}

stats() { # values on stdin → "median (min–max)"
  sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%s (%s–%s)", m, a[1], a[NR]}'
}

echo "## Start-up and idle memory — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- command: \`bench/startup.sh $ROUNDS\`; commit $(git rev-parse --short HEAD)"
echo "- machine: $(nproc) cores, $(awk -F: '/model name/ {sub(/^ /, "", $2); print $2; exit}' /proc/cpuinfo), .NET $(dotnet --version)"
echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| round | fresh database: ready (ms) | idle RSS (MB) | migrated database: ready (ms) | idle RSS (MB) |"
echo "|---|---|---|---|---|"
results=$(mktemp)
for round in $(seq 1 "$ROUNDS"); do
  data=$(mktemp -d /tmp/storyengine-startup.XXXXXX)
  read -r fresh fresh_rss < <(one_start "$data")
  read -r again again_rss < <(one_start "$data")
  rm -rf "$data"
  echo "| $round | $fresh | $fresh_rss | $again | $again_rss |"
  echo "$fresh $fresh_rss $again $again_rss" >>"$results"
done
echo "| **median (min–max)** | $(cut -d' ' -f1 "$results" | stats) | $(cut -d' ' -f2 "$results" | stats) | $(cut -d' ' -f3 "$results" | stats) | $(cut -d' ' -f4 "$results" | stats) |"
rm -f "$results"
echo
echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
