#!/usr/bin/env bash
# Runs the server on the embedded default (SQLite in ./data) at http://127.0.0.1:5080, after building it and putting
# the `storyengine` command on the PATH (scripts/install.sh). Extra arguments go to `storyengine serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
echo "== starting: storyengine serve $*"
exec dotnet artifacts/storyengine/storyengine.dll serve "$@"
