#!/usr/bin/env bash
# Tabletop play benchmarks (issue 23). Usage:
#   bench/tabletop.sh dice-rate [--seconds N]     rolls a second on the server's CSPRNG (parse + roll), per expression
#   bench/tabletop.sh rules-turn [--turns N]      what rules mode adds to preparing a turn: p50/p95/p99
# Builds bench/StoryEngine.Bench in Release and prints markdown on stdout: the machine, its load, the exact command,
# then the table. Save a run with: bench/tabletop.sh dice-rate | tee bench/results/tabletop-dice-$(date +%F).md
set -euo pipefail
cd "$(dirname "$0")/.."
COMMAND="bench/tabletop.sh $*"
source bench/lib/bench-common.sh
MEASUREMENT="${1:-dice-rate}"
shift || true
build_bench
echo "## Tabletop benchmarks (issue 23) — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- command: \`$COMMAND\`"
echo "- machine: $(describe_machine); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
dotnet bench/StoryEngine.Bench/bin/Release/net10.0/StoryEngine.Bench.dll "$MEASUREMENT" "$@"
echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
