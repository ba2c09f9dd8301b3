#!/usr/bin/env bash
# Bedtime stories read aloud (issue 25): time from request to the first playable audio of a story, and audio bytes per
# minute, on the real host with real espeak-ng and lame and an instant in-process model. Usage:
#   bench/bedtime.sh bedtime [--minutes 10] [--runs 3] [--postgres [CONNECTION]]
# Builds bench/StoryEngine.Bench in Release and prints markdown on stdout: the machine, its load, the exact command,
# then the table. Save a run with: bench/bedtime.sh bedtime | tee bench/results/bedtime-sqlite-$(date +%F).md
set -euo pipefail
cd "$(dirname "$0")/.."
COMMAND="bench/bedtime.sh $*"
source bench/lib/bench-common.sh
parse_bench_args bedtime "$@"
build_bench
if [ -n "$START_PG" ]; then
  source scripts/lib/postgres.sh
  start_postgres >&2
  PG_CS="$PG_CONNECTION"
fi
[ -n "$PG_CS" ] && ARGS+=(--postgres "$PG_CS")
echo "## Bedtime stories read aloud (issue 25) — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- command: \`$COMMAND\`"
echo "- machine: $(describe_machine); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
dotnet bench/StoryEngine.Bench/bin/Release/net10.0/StoryEngine.Bench.dll "$MEASUREMENT" "${ARGS[@]}"
echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
