#!/usr/bin/env bash
# Model-gateway benchmarks (issue 21), on the real host against a scripted OpenAI-compatible backend on loopback
# (bench/StoryEngine.Bench/Gateway/GatewayBench.cs). Usage:
#   bench/gateway.sh ttft-under-jobs [--samples 40] [--slots 4] [--jobs 8] [--rounds 3] [--postgres [CONNECTION]]
#       a player's time to first token with the backend idle, then with background work saturating it
#       (Backends:{name}:MaxConcurrency = --slots, --jobs background callers), with InteractiveReserve 1 (the
#       default) and 0; the issue's target is a rise of at most 10%.
#   bench/gateway.sh cache-replay [--turns 30] [--rounds 3] [--postgres [CONNECTION]]
#       a story played, then replayed move for move in a fresh adventure with Gateway:CacheMinutes on: the
#       identical-request cache's hit rate in each pass.
#   bench/gateway.sh all [...]   both.
# Builds bench/StoryEngine.Bench in Release and prints markdown on stdout: the machine, its load, the exact command,
# then the tables. Save a run with: bench/gateway.sh all | tee bench/results/gateway-$(date +%F).md
set -euo pipefail
cd "$(dirname "$0")/.."
COMMAND="bench/gateway.sh $*"
source bench/lib/bench-common.sh
parse_bench_args all "$@"
case "$MEASUREMENT" in
  ttft-under-jobs) MODES=(gateway-ttft) ;;
  cache-replay) MODES=(gateway-cache-replay) ;;
  all) MODES=(gateway-ttft gateway-cache-replay) ;;
  *) echo "unknown measurement $MEASUREMENT (ttft-under-jobs, cache-replay or all)" >&2; exit 2 ;;
esac
build_bench
if [ -n "$START_PG" ]; then
  source scripts/lib/postgres.sh
  trap stop_postgres EXIT
  start_postgres >&2
  PG_CS="$PG_CONNECTION"
fi
[ -n "$PG_CS" ] && ARGS+=(--postgres "$PG_CS")
echo "## Model gateway (issue 21) — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- command: \`$COMMAND\`"
echo "- machine: $(describe_machine); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- commit $(git rev-parse --short HEAD)"
echo
for mode in "${MODES[@]}"; do
  dotnet bench/StoryEngine.Bench/bin/Release/net10.0/StoryEngine.Bench.dll "$mode" "${ARGS[@]}"
done
echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
