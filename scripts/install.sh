#!/usr/bin/env bash
# Builds Story Engine and puts the `storyengine` command on the PATH (docs/adr/0034-cli-on-the-path.md):
# `dotnet publish` into artifacts/storyengine, then a small launcher in /usr/local/bin (as root) or ~/.local/bin.
# Settings (environment): STORYENGINE_BIN_DIR (where the launcher goes), STORYENGINE_CONFIGURATION (Release),
# STORYENGINE_READY_TO_RUN (1: compile ahead of time for this machine's processor, which halves the JIT work at
# start-up, docs/benchmarks.md; 0: a portable build).
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
publish=(dotnet publish src/StoryEngine.Server -c "$configuration" -o "$out" --nologo -v quiet -clp:ErrorsOnly)
case "${STORYENGINE_READY_TO_RUN:-1}:$(uname -m)" in
  1:x86_64) rid=linux-x64 ;;
  1:aarch64) rid=linux-arm64 ;;
  *) rid="" ;;
esac
# ReadyToRun needs the compiler package for the processor; where it cannot be had, the portable build still runs.
if [ -z "$rid" ] || ! "${publish[@]}" -r "$rid" --self-contained false -p:PublishReadyToRun=true; then
  [ -n "$rid" ] && echo "== ReadyToRun was not possible here; building the portable program instead"
  "${publish[@]}"
fi

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
