#!/usr/bin/env bash
# Runs the server on the embedded default (SQLite in ./data) at http://127.0.0.1:5080, after building it and putting
# the `storyengine` command on the PATH (scripts/install.sh). Extra arguments go to `storyengine serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
# Speech (bedtime stories and narrations read aloud, docs/bedtime.md): espeak-ng speaks and lame encodes the MP3.
# Installed from Debian's packages when missing and run as root; without them the stories are written but not voiced.
if { ! command -v espeak-ng >/dev/null || ! command -v lame >/dev/null; } && [ "$(id -u)" = 0 ] \
  && command -v apt-get >/dev/null; then
  echo "== installing espeak-ng and lame from Debian's packages (speech)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng lame >/dev/null
fi
./scripts/install.sh
echo "== starting: storyengine serve $*"
exec dotnet artifacts/storyengine/storyengine.dll serve "$@"
