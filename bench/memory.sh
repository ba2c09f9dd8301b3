#!/usr/bin/env bash
# Memory benchmarks (issue 5). Usage:
#   bench/memory.sh [recall|recall-quality] [--postgres [CONNECTION]] [--memories N] [--samples N] [--turns N] [--facts N]
# Builds bench/StoryEngine.Bench in Release and runs it against the real stores and recall code; prints markdown on
# stdout: the machine, its load, the exact command, then the table. SQLite unless --postgres (a throwaway PostgreSQL
# on loopback is started with scripts/lib/postgres.sh when no connection string is given).
# Save a run with: bench/memory.sh recall | tee bench/results/memory-recall-sqlite-$(date +%F).md
set -euo pipefail
cd "$(dirname "$0")/.."
COMMAND="bench/memory.sh $*"
source bench/lib/bench-common.sh
parse_bench_args recall "$@"
build_bench
if [ -n "$START_PG" ]; then
  source scripts/lib/postgres.sh
  start_postgres >&2
  PG_CS="$PG_CONNECTION"
fi
[ -n "$PG_CS" ] && ARGS+=(--postgres "$PG_CS")
echo "## Memory benchmarks (issue 5) — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- command: \`$COMMAND\`"
echo "- machine: $(describe_machine); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
dotnet bench/StoryEngine.Bench/bin/Release/net10.0/StoryEngine.Bench.dll "$MEASUREMENT" "${ARGS[@]}"
echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
