#!/usr/bin/env bash
# Retakes the screenshots the README and docs show (docs/screenshots/*.png). An ordinary test run writes its
# screenshots to TestResults/screenshots and never touches tracked files; this runs the browser tests that take
# them (SQLite only: the PostgreSQL twins take none) with STORYENGINE_SCREENSHOTS_DIR pointing at docs/screenshots.
# Review the changed images with `git diff --stat docs/screenshots` before committing them.
set -euo pipefail
cd "$(dirname "$0")/.."
export STORYENGINE_SCREENSHOTS_DIR="$PWD/docs/screenshots"
exec scripts/test.sh --filter "FullyQualifiedName~StoryEngine.Tests.Web.&FullyQualifiedName~_Sqlite" "$@"
