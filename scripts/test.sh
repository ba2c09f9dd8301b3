#!/usr/bin/env bash
# Runs every test against both engines: starts a throwaway PostgreSQL on loopback (installing Debian's
# package first when it is missing and we are root), then `dotnet test` over the whole solution.
# Extra arguments go to `dotnet test` (e.g. --filter). TRX results land in TestResults/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh
start_postgres

export STORYENGINE_TEST_POSTGRES="$PG_CONNECTION"
rm -rf TestResults
dotnet test StoryEngine.slnx --logger "trx" --results-directory TestResults "$@"
