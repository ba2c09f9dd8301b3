#!/usr/bin/env bash
# Runs every test against both engines: starts a throwaway PostgreSQL on loopback (installing Debian's
# package first when it is missing and we are root), then `dotnet test` over the whole solution.
# Extra arguments go to `dotnet test` (e.g. --filter). TRX results land in TestResults/.
set -euo pipefail
cd "$(dirname "$0")/.."

find_pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
PGBIN=$(find_pgbin)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing PostgreSQL from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    PGBIN=$(find_pgbin)
  else
    echo "PostgreSQL is not installed: run 'sudo apt-get install postgresql' (the tests need a real server)." >&2
    exit 1
  fi
fi

PGDIR=$(mktemp -d /tmp/storyengine-pg.XXXXXX)
PGPORT=${STORYENGINE_TEST_PGPORT:-$((20000 + RANDOM % 20000))}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PGDIR"; fi

stop_pg() {
  as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap stop_pg EXIT

echo "== starting PostgreSQL ($("$PGBIN/postgres" --version)) on 127.0.0.1:$PGPORT"
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
  -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null

export STORYENGINE_TEST_POSTGRES="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres"
rm -rf TestResults
dotnet test StoryEngine.slnx --logger "trx" --results-directory TestResults "$@"
