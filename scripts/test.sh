#!/usr/bin/env bash
# Runs every test against both engines: starts a throwaway PostgreSQL and a throwaway redis-server on loopback
# (installing Debian's packages first when they are missing and we are root), then `dotnet test` over the whole
# solution. The scale-out tests (tests/StoryEngine.Tests/Cluster) run two nodes on them.
# Extra arguments go to `dotnet test` (e.g. --filter). TRX results land in TestResults/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postgres.sh
source scripts/lib/redis.sh
# The README test runs its curl walk-through; install curl the same way as PostgreSQL when it is missing.
if ! command -v curl >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null
fi
# The web app's browser tests drive Debian's chromium (tests/StoryEngine.Tests/Web); install it the same way.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "== installing chromium from Debian's packages (browser tests)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# Speech (tests/StoryEngine.Tests/Speech, Bedtime): espeak-ng speaks, lame encodes MP3 and decodes it again to measure.
if { ! command -v espeak-ng >/dev/null || ! command -v lame >/dev/null; } && [ "$(id -u)" = 0 ] \
  && command -v apt-get >/dev/null; then
  echo "== installing espeak-ng and lame from Debian's packages (speech)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng lame >/dev/null
fi
start_postgres
start_redis
trap 'stop_redis; stop_postgres' EXIT

export STORYENGINE_TEST_POSTGRES="$PG_CONNECTION"
export STORYENGINE_TEST_REDIS="$REDIS_CONFIGURATION"
rm -rf TestResults
# The screenshot tour (Web/ScreenshotTour.cs) only takes the README's pictures, for scripts/refresh-screenshots.sh;
# a plain run leaves it out rather than counting it as skipped. A caller's own --filter decides for itself.
args=("$@")
case " $* " in
  *" --filter "*) ;;
  *) args+=(--filter "FullyQualifiedName!~ScreenshotTour") ;;
esac
dotnet test StoryEngine.slnx --logger "trx" --results-directory TestResults "${args[@]}"
