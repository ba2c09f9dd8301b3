# Starts a throwaway PostgreSQL on 127.0.0.1 for tests and benchmarks; source it, then call start_postgres.
# Installs Debian's package first when it is missing and we are root. Sets PG_CONNECTION and stops the
# server (and removes its files) when the calling script exits.

find_pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

start_postgres() {
  PGBIN=$(find_pgbin)
  if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "== installing PostgreSQL from Debian's packages"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
      PGBIN=$(find_pgbin)
    else
      echo "PostgreSQL is not installed: run 'sudo apt-get install postgresql' (the tests need a real server)." >&2
      return 1
    fi
  fi

  PGDIR=$(mktemp -d /tmp/storyengine-pg.XXXXXX)
  PGPORT=${STORYENGINE_PGPORT:-$((20000 + RANDOM % 20000))}
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PGDIR"; fi
  trap stop_postgres EXIT

  echo "== starting PostgreSQL ($("$PGBIN/postgres" --version)) on 127.0.0.1:$PGPORT"
  as_postgres "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  as_postgres "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
    -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 ${PG_EXTRA_OPTIONS:-}" start >/dev/null
  PG_CONNECTION="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres"
}

# initdb refuses to run as root; Debian's package brings a postgres user for that.
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

stop_postgres() {
  [ -n "${PGDIR:-}" ] || return 0
  as_postgres "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
