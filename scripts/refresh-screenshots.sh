#!/usr/bin/env bash
# Retakes the screenshots the README and docs show (docs/screenshots/*.png). An ordinary test run writes its
# screenshots to TestResults/screenshots and never touches tracked files, and skips the screenshot tour
# (tests/StoryEngine.Tests/Web/ScreenshotTour.cs); this sets STORYENGINE_SCREENSHOTS_DIR to docs/screenshots and runs
#   - the tour: the main pages (landing, home, library, world editor, play) at 1280 px and 360 px, light and dark,
#     as PAGE-WIDTH-THEME.png, the pictures the README links; its light 1280 px play view becomes the landing page's
#     picture (src/StoryEngine.Server/wwwroot/screenshots/play.png);
#   - unless --tour-only is given, the browser tests that take the other pictures the docs show (SQLite only: the
#     PostgreSQL twins take none).
# Usage: scripts/refresh-screenshots.sh [--tour-only] [extra dotnet test arguments]
# Review the changed images with `git diff --stat docs/screenshots` before committing them.
set -euo pipefail
cd "$(dirname "$0")/.."
export STORYENGINE_SCREENSHOTS_DIR="$PWD/docs/screenshots"
filter="FullyQualifiedName~StoryEngine.Tests.Web.&FullyQualifiedName~_Sqlite|FullyQualifiedName~ScreenshotTour"
if [ "${1:-}" = "--tour-only" ]; then
  filter="FullyQualifiedName~ScreenshotTour"
  shift
fi
scripts/test.sh --filter "$filter" "$@"
cp docs/screenshots/play-1280-light.png src/StoryEngine.Server/wwwroot/screenshots/play.png
du -ch docs/screenshots/*-1280-*.png docs/screenshots/*-360-*.png | tail -n1
