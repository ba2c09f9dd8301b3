#!/usr/bin/env bash
# Narrator benchmarks (issue 3). Usage:
#   bench/narrator.sh [overhead|append|ttft|prefix|concurrent|lore|all] [--postgres [CONNECTION]] [--quick] [--rounds N]
#   [--users N] ...   (each measurement runs 3 rounds unless --rounds says otherwise; every number printed is the
#   median of the rounds with the lowest and highest in brackets, and the load average around each round)
# Builds bench/StoryEngine.Bench in Release and runs it; prints markdown on stdout: the machine, the exact command,
# then a table per measurement (progress and server warnings go to stderr). SQLite unless --postgres: given a
# connection string, a throwaway database is made on that server; given none, a throwaway PostgreSQL is started on
# loopback with scripts/lib/postgres.sh (installing Debian's package first when run as root).
# Save a run with: bench/narrator.sh all | tee bench/results/narrator-$(date +%F).md
set -euo pipefail
cd "$(dirname "$0")/.."
COMMAND="bench/narrator.sh $*"
source bench/lib/bench-common.sh
parse_bench_args all "$@"

build_bench
if [ -n "$START_PG" ]; then
  source scripts/lib/postgres.sh
  start_postgres >&2
  # As bench/http-load.sh: the server allows 300 connections; a thousand concurrent narrations need a big pool.
  PG_CS="$PG_CONNECTION;Maximum Pool Size=200"
fi
[ -n "$PG_CS" ] && ARGS+=(--postgres "$PG_CS")

engine=sqlite
[ -n "$PG_CS" ] && engine="postgres${START_PG:+ ($("$PGBIN/postgres" --version | sed 's/^postgres (PostgreSQL) //'), throwaway on loopback, fsync=off)}"
echo "## Narrator benchmarks (issue 3) — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- command: \`$COMMAND\`"
echo "- machine: $(describe_machine)"
echo "- .NET $(dotnet --version) (Release build), commit $(git rev-parse --short HEAD)$([ -z "$(git status --porcelain -- src bench ':!bench/results')" ] || echo ' + uncommitted changes')"
echo "- database: $engine"
echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine shows here)"
echo
dotnet bench/StoryEngine.Bench/bin/Release/net10.0/StoryEngine.Bench.dll "$MEASUREMENT" "${ARGS[@]}"
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg); whole run ${SECONDS} s (build included)."
