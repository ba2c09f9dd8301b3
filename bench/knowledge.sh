#!/usr/bin/env bash
# Knowledge benchmarks (issue 20), with the real packaged all-MiniLM-L6-v2 model. Usage:
#   bench/knowledge.sh knowledge-recall [--postgres [CONNECTION]] [--turns N] [--facts N]   recall@5: text, MiniLM, fused
#   bench/knowledge.sh embed-throughput [--texts N] [--samples N]                         passages/s, one query's latency
#   bench/knowledge.sh knowledge-search [--postgres [CONNECTION]] [--chunks N] [--samples N]  search p50/p95/p99
#   bench/knowledge.sh knowledge-memory                                    start-up and working set, model loaded or not
# Builds bench/StoryEngine.Bench in Release and prints markdown on stdout: the machine, its load, the exact command,
# then the table. SQLite unless --postgres (a throwaway PostgreSQL is started when no connection string is given).
# Save a run with: bench/knowledge.sh knowledge-search | tee bench/results/knowledge-search-sqlite-$(date +%F).md
set -euo pipefail
cd "$(dirname "$0")/.."
COMMAND="bench/knowledge.sh $*"
source bench/lib/bench-common.sh
parse_bench_args knowledge-recall "$@"
build_bench
if [ -n "$START_PG" ]; then
  source scripts/lib/postgres.sh
  start_postgres >&2
  PG_CS="$PG_CONNECTION"
fi
[ -n "$PG_CS" ] && ARGS+=(--postgres "$PG_CS")
echo "## Knowledge benchmarks (issue 20) — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- command: \`$COMMAND\`"
echo "- machine: $(describe_machine); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
dotnet bench/StoryEngine.Bench/bin/Release/net10.0/StoryEngine.Bench.dll "$MEASUREMENT" "${ARGS[@]}"
echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
