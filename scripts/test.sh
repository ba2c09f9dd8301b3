#!/usr/bin/env bash
# Runs every test against both engines: starts a throwaway PostgreSQL on loopback (installing Debian's
# package first when it is missing and we are root), then `dotnet test` over the whole solution.
# Extra arguments go to `dotnet test` (e.g. --filter). TRX results land in TestResults/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh
# The README test runs its curl walk-through; install curl the same way as PostgreSQL when it is missing.
if ! command -v curl >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null
fi
# The web app's browser tests drive Debian's chromium (tests/StoryEngine.Tests/Web); install it the same way.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "== installing chromium from Debian's packages (browser tests)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
start_postgres

export STORYENGINE_TEST_POSTGRES="$PG_CONNECTION"
rm -rf TestResults
# The screenshot tour (Web/ScreenshotTour.cs) only takes the README's pictures, for scripts/refresh-screenshots.sh;
# a plain run leaves it out rather than counting it as skipped. A caller's own --filter decides for itself.
args=("$@")
case " $* " in
  *" --filter "*) ;;
  *) args+=(--filter "FullyQualifiedName!~ScreenshotTour") ;;
esac
dotnet test StoryEngine.slnx --logger "trx" --results-directory TestResults "${args[@]}"
