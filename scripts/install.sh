#!/usr/bin/env bash
# Builds Story Engine and puts the `storyengine` command on the PATH (docs/adr/0034-cli-on-the-path.md):
# `dotnet publish` into artifacts/storyengine, then a small launcher in /usr/local/bin (as root) or ~/.local/bin.
# Settings (environment): STORYENGINE_BIN_DIR (where the launcher goes), STORYENGINE_CONFIGURATION (Release).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if ! command -v dotnet >/dev/null; then
  echo "install: the .NET 10 SDK is required (see README)." >&2
  exit 1
fi
configuration=${STORYENGINE_CONFIGURATION:-Release}
if [ -n "${STORYENGINE_BIN_DIR:-}" ]; then
  bin=$STORYENGINE_BIN_DIR
elif [ "$(id -u)" = 0 ]; then
  bin=/usr/local/bin
else
  bin=$HOME/.local/bin
fi
out=$PWD/artifacts/storyengine

# The first build restores packages and compiles everything: say so, rather than sit silent for a minute.
echo "== building Story Engine ($configuration) into artifacts/storyengine; the first build takes a minute or two"
dotnet publish src/StoryEngine.Server -c "$configuration" -o "$out" --nologo -v quiet -clp:ErrorsOnly

mkdir -p "$bin"
launcher=$bin/storyengine
# Written to a temporary name and renamed, so a launcher that is running is never seen half written.
cat > "$launcher.tmp" <<LAUNCHER
#!/bin/sh
# Story Engine's command line, installed by $PWD/scripts/install.sh; run that again after pulling changes.
exec dotnet "$out/storyengine.dll" "\$@"
LAUNCHER
chmod 755 "$launcher.tmp"
mv -f "$launcher.tmp" "$launcher"
echo "== installed: $launcher"
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "   $bin is not on your PATH; add it: export PATH=\"$bin:\$PATH\"" ;;
esac
