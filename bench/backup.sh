#!/usr/bin/env bash
# Backup and restore benchmark (issue 16): the RPO/RTO numbers of docs/operations.md. Usage:
#   bench/backup.sh [--postgres [CONNECTION]] [--adventures N] [--turns N] [--writers N]
# Seeds a fresh database with N adventures × M turns (default 10,000 × 100) through the story log, then times
# `storyengine backup`, the checksum check, `backup verify` and `restore` into an empty database of the same engine,
# through the services those commands call. SQLite unless --postgres (as bench/narrator.sh: a given connection
# string, or a throwaway PostgreSQL on loopback). Prints markdown; the run is bounded by BENCH_TIMEOUT seconds
# (default 3600) and stops by itself. Save a run with:
#   bench/backup.sh | tee bench/results/backup-sqlite-$(date +%F).md
set -euo pipefail
cd "$(dirname "$0")/.."
COMMAND="bench/backup.sh $*"
source bench/lib/bench-common.sh
parse_bench_args backup backup "$@"

build_bench
if [ -n "$START_PG" ]; then
  source scripts/lib/postgres.sh
  start_postgres >&2
  PG_CS="$PG_CONNECTION"
fi
[ -n "$PG_CS" ] && ARGS+=(--postgres "$PG_CS")

engine=sqlite
[ -n "$PG_CS" ] && engine="postgres${START_PG:+ ($("$PGBIN/postgres" --version | sed 's/^postgres (PostgreSQL) //'), throwaway on loopback, fsync=off)}"
echo "## Backup and restore benchmark (issue 16) — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- command: \`$COMMAND\`"
echo "- machine: $(describe_machine)"
echo "- .NET $(dotnet --version) (Release build), commit $(git rev-parse --short HEAD)$([ -z "$(git status --porcelain -- src bench ':!bench/results')" ] || echo ' + uncommitted changes')"
echo "- database: $engine; pg_dump: $(command -v pg_dump >/dev/null && pg_dump --version || echo 'not installed')"
echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine shows here)"
echo
timeout --signal=INT --kill-after=30 "${BENCH_TIMEOUT:-3600}" \
  dotnet bench/StoryEngine.Bench/bin/Release/net10.0/StoryEngine.Bench.dll "$MEASUREMENT" "${ARGS[@]}"
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg); whole run ${SECONDS} s (build included)."
