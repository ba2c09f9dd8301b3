# Starts a throwaway redis-server on 127.0.0.1 for tests and benchmarks; source it, then call start_redis.
# Installs Debian's package first when it is missing and we are root. Sets REDIS_CONFIGURATION (host:port, the
# form StackExchange.Redis reads from Redis:Configuration). The caller stops it (and removes its files) with
# stop_redis from its EXIT trap; no trap is set here, so postgres.sh's own trap is not replaced behind its back.

start_redis() {
  if ! command -v redis-server >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "== installing redis-server from Debian's packages"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    else
      echo "redis-server is not installed: run 'sudo apt-get install redis-server' (the tests need a real server)." >&2
      return 1
    fi
  fi
  REDISDIR=$(mktemp -d /tmp/storyengine-redis.XXXXXX)
  REDISPORT=${STORYENGINE_REDISPORT:-$((40000 + RANDOM % 20000))}
  echo "== starting Redis ($(redis-server --version | cut -d' ' -f3)) on 127.0.0.1:$REDISPORT"
  # No persistence: a test server's data is thrown away with it.
  redis-server --port "$REDISPORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
    --dir "$REDISDIR" --pidfile "$REDISDIR/redis.pid" --logfile "$REDISDIR/redis.log"
  for _ in $(seq 1 100); do
    if redis-cli -p "$REDISPORT" ping >/dev/null 2>&1; then break; fi
    sleep 0.05
  done
  REDIS_CONFIGURATION="127.0.0.1:$REDISPORT"
}

stop_redis() {
  [ -n "${REDISDIR:-}" ] || return 0
  if [ -f "$REDISDIR/redis.pid" ]; then kill "$(cat "$REDISDIR/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$REDISDIR"
}
