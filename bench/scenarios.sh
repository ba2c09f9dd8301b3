#!/usr/bin/env bash
# Scenario graphs (issue 24): validation plus layered layout of one generated graph, timed per run. Usage:
#   bench/scenarios.sh [--nodes N] [--samples N]        defaults: 2,000 scenes, 200 samples; target p99 ≤ 50 ms
# Builds bench/StoryEngine.Bench in Release and prints markdown on stdout: the machine, its load, the exact command,
# then the table. Save a run with: bench/scenarios.sh | tee bench/results/scenario-graph-$(date +%F).md
set -euo pipefail
cd "$(dirname "$0")/.."
COMMAND="bench/scenarios.sh $*"
source bench/lib/bench-common.sh
build_bench
echo "## Scenario graph validation and layout (issue 24) — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "- command: \`$COMMAND\`"
echo "- machine: $(describe_machine); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
dotnet bench/StoryEngine.Bench/bin/Release/net10.0/StoryEngine.Bench.dll scenario-graph "$@"
echo
echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
