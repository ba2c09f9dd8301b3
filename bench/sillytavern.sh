#!/usr/bin/env bash
# Side by side with SillyTavern (issue 19). Usage: bench/sillytavern.sh [rounds]   (default 20)
# Runs SillyTavern from its own npm release (sillytavern@1.12.6, their server.js) and Story Engine as the README
# builds it (scripts/install.sh → dotnet artifacts/storyengine/storyengine.dll serve), both on loopback, each on a
# fresh data folder under /tmp, seeds the same data into both, and times the same things on both, interleaving the
# two servers request by request (A, B, A, B, … with the first server alternating every round), with curl
# -w '%{time_total}'. Prints markdown: date, versions, machine, load average before/after, medians and ratios.
#   1. start-up to the first 200 on a fresh data folder (BENCH_STARTS times each, default 3);
#   2. seeds one character (the Seraphina card) with a 10,000-message chat and a 100-message chat, and
#      BENCH_CARDS (default 5,000) character cards: the real PNG cards in ../shared/fixtures/cards, cycled;
#   3. opening the newest page of the 10,000-message story, the character library (5,001 cards), process RSS after
#      the library listing, and saving a chat of 100 messages (Story Engine: its write without a model — see
#      docs/benchmarks.md, "Side by side with SillyTavern").
# Settings (environment): SILLYTAVERN_VERSION (1.12.6), BENCH_CARDS, BENCH_STARTS, BENCH_PORT (5183, Story Engine),
# BENCH_ST_PORT (8183, SillyTavern), BENCH_TIMEOUT (whole run, seconds, default 5400), FIXTURES (../shared/fixtures).
# Downloads go to artifacts/sillytavern/VERSION (git-ignored); npm must reach a registry (or its mirror).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SIDE_BY_SIDE_BOUNDED:-}" ]; then # the whole run is bounded in time; the trap below still cleans up
  export SIDE_BY_SIDE_BOUNDED=1
  exec timeout --foreground --kill-after=30 "${BENCH_TIMEOUT:-5400}" "$0" "$@"
fi
ROUNDS=${1:-20}
CARDS=${BENCH_CARDS:-5000}
STARTS=${BENCH_STARTS:-3}
MESSAGES=10000
ST_VERSION=${SILLYTAVERN_VERSION:-1.12.6}
SE_BASE="http://127.0.0.1:${BENCH_PORT:-5183}"
ST_PORT=${BENCH_ST_PORT:-8183}
ST_BASE="http://127.0.0.1:$ST_PORT"
FIXTURES=${FIXTURES:-../shared/fixtures}
[ -d "$FIXTURES/cards" ] || FIXTURES=$(cd .. && pwd)/shared/fixtures
ROOT=$PWD
ST_HOME=$ROOT/artifacts/sillytavern/$ST_VERSION
ST_DIR=$ST_HOME/node_modules/sillytavern
WORK=$(mktemp -d /tmp/sidebyside.XXXXXX)
SE_PID="" ST_PID=""
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

stop_server() { # pid
  [ -n "$1" ] || return 0
  kill "$1" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() { stop_server "$SE_PID"; stop_server "$ST_PID"; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 143' TERM INT

# --- SillyTavern from its own release --------------------------------------------------------------------------
if [ ! -f "$ST_DIR/server.js" ]; then
  log "installing sillytavern@$ST_VERSION from npm into ${ST_HOME#"$ROOT"/}"
  mkdir -p "$ST_HOME"
  # Their postinstall is run below, from their folder as `npm install` in their checkout runs it (newer npm
  # versions hold back a dependency's install scripts until approved).
  npm install --prefix "$ST_HOME" --no-audit --no-fund --ignore-scripts --loglevel=error "sillytavern@$ST_VERSION" >&2
  # post-install.js: config.yaml and public/css/user.css from their defaults, then the tokenizer .wasm files into
  # dist/ — that step looks for its own node_modules, which npm hoisted one level up, so it reports an error and
  # leaves dist/ empty (no route timed here uses it).
  (cd "$ST_DIR" && node post-install.js) >&2 || true
fi
# Their defaults (default/config.yaml) with three changes so the run is the same every time: no copying of their
# bundled sample characters into a fresh user (the library must hold exactly the seeded cards), no browser opening,
# no extension update check over the network. Loopback, whitelist, port, data folder and CSRF are set on the
# command line below; the server reads config.yaml from its own folder.
sed -e 's/^skipContentCheck: .*/skipContentCheck: true/' -e 's/^autorun: .*/autorun: false/' \
  -e 's/^enableExtensionsAutoUpdate: .*/enableExtensionsAutoUpdate: false/' \
  "$ST_DIR/default/config.yaml" >"$ST_DIR/config.yaml"
ST_VER=$(node -p "require('$ST_DIR/package.json').version")

# --- Story Engine, as the README installs it --------------------------------------------------------------------
log "building Story Engine (scripts/install.sh)"
STORYENGINE_BIN_DIR=$ROOT/artifacts/bin scripts/install.sh >&2
SE_VER=$(dotnet artifacts/storyengine/storyengine.dll --version 2>/dev/null | head -1)
export Logging__LogLevel__Default=Warning
# One benchmark user sends every request: lift the per-user limits so they are not what is measured.
export RateLimits__ApiPerMinute=100000000 RateLimits__AuthPerMinute=100000 RateLimits__GenerationPerMinute=100000

now_ns() { date +%s%N; }
wait_200() { # url pid what: polls until the first 200 (120 s at most)
  local deadline=$(($(date +%s) + 120))
  until curl -sf -o /dev/null --max-time 5 "$1"; do
    kill -0 "$2" 2>/dev/null || { log "$3 exited during start-up"; exit 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { log "$3 did not answer 200 within 120 s"; exit 1; }
    sleep 0.01
  done
}
# Not in $(…): the PIDs must reach the trap. Each sets START_MS.
start_se() { # data dir → SE_PID, START_MS to the first 200 from /health/ready
  local t0; t0=$(now_ns)
  dotnet artifacts/storyengine/storyengine.dll serve --data-dir "$1" --urls "$SE_BASE" >>"$1.log" 2>&1 &
  SE_PID=$!
  wait_200 "$SE_BASE/health/ready" "$SE_PID" "Story Engine"
  START_MS=$((($(now_ns) - t0) / 1000000))
}
start_st() { # data dir → ST_PID, START_MS to the first 200 from GET / (their page; there is no health route)
  local t0; t0=$(now_ns)
  (cd "$ST_DIR" && exec node server.js --port "$ST_PORT" --listen false --whitelist true --disableCsrf \
    --autorun false --dataRoot "$1") >>"$1.log" 2>&1 &
  ST_PID=$!
  wait_200 "$ST_BASE/" "$ST_PID" "SillyTavern"
  START_MS=$((($(now_ns) - t0) / 1000000))
}
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
json_get() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let v=JSON.parse(s);for(const k of process.argv[1].split("."))v=v[k];console.log(v)})' "$1"; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 1. start-up on a fresh data folder, interleaved ------------------------------------------------------------
for i in $(seq 1 "$STARTS"); do
  for who in se st; do
    dir=$WORK/$who-$i
    mkdir -p "$dir"
    if [ "$who" = se ]; then start_se "$dir"; else start_st "$dir"; fi
    ms=$START_MS
    echo "$ms" >>"$WORK/start-$who.txt"
    log "start $i $who: $ms ms"
    if [ "$i" -lt "$STARTS" ]; then
      if [ "$who" = se ]; then stop_server "$SE_PID"; SE_PID=""; else stop_server "$ST_PID"; ST_PID=""; fi
      rm -rf "$dir"
    fi
  done
done
SE_DATA=$WORK/se-$STARTS
ST_USER=$WORK/st-$STARTS/default-user

# --- 2. seed the same data into both ----------------------------------------------------------------------------
log "writing the chats"
node bench/lib/sillytavern-data.js Seraphina "$MESSAGES" "$WORK/bench-10000.jsonl"
node bench/lib/sillytavern-data.js Seraphina 100 "$WORK/bench-100.jsonl" "$WORK/save-100.json"
mapfile -t PNGS < <(ls "$FIXTURES"/cards/*.png)

# SillyTavern: files in its user folder, as its own import and chat saving leave them.
mkdir -p "$ST_USER/chats/Seraphina"
cp "$FIXTURES/cards/st_default_Seraphina.png" "$ST_USER/characters/Seraphina.png"
cp "$WORK/bench-10000.jsonl" "$WORK/bench-100.jsonl" "$ST_USER/chats/Seraphina/"
log "copying $CARDS cards into SillyTavern's characters folder"
for i in $(seq 1 "$CARDS"); do
  cp "${PNGS[$(((i - 1) % ${#PNGS[@]}))]}" "$(printf '%s/characters/card-%05d.png' "$ST_USER" "$i")"
done

# Story Engine: through its API.
json() { curl -sf --max-time 120 -H 'content-type: application/json' "$@"; }
json -X POST "$SE_BASE/api/v1/auth/register" -d '{"username":"bench","password":"benchmark password"}' >/dev/null
TOKEN=$(json -X POST "$SE_BASE/api/v1/auth/login" -d '{"username":"bench","password":"benchmark password"}' | json_get accessToken)
AUTH="Authorization: Bearer $TOKEN"
WORLD=$(json -X POST -H "$AUTH" "$SE_BASE/api/v1/worlds" -d '{"name":"Library","description":"Every card in one world, as SillyTavern keeps them."}' | json_get id)
CHAR=$(curl -sf --max-time 120 -H "$AUTH" -F "file=@$FIXTURES/cards/st_default_Seraphina.png" "$SE_BASE/api/v1/worlds/$WORLD/characters/import" | json_get character.id)
import_chat() { curl -sf --max-time 600 -H "$AUTH" -F "file=@$1" -F "worldId=$WORLD" -F "characterId=$CHAR" "$SE_BASE/api/v1/adventures/import" | json_get id; }
log "importing the 10,000-message chat into Story Engine"
ADV=$(import_chat "$WORK/bench-10000.jsonl")
ADV100=$(import_chat "$WORK/bench-100.jsonl")
TURN100=$(curl -sf -H "$AUTH" "$SE_BASE/api/v1/adventures/$ADV100/turns?limit=1" | json_get items.0.id)
log "importing $CARDS cards into Story Engine (4 at a time)"
for i in $(seq 1 "$CARDS"); do echo "${PNGS[$(((i - 1) % ${#PNGS[@]}))]}"; done |
  xargs -P 4 -I{} curl -sf -o /dev/null --max-time 120 -H "$AUTH" -F "file=@{}" "$SE_BASE/api/v1/worlds/$WORLD/characters/import"
SE_TURNS=$(curl -sf -H "$AUTH" "$SE_BASE/api/v1/adventures/$ADV/turns?limit=1" | json_get items.0.number)

# --- 3. measure, interleaved ------------------------------------------------------------------------------------
ST_OPEN='{"ch_name":"Seraphina","file_name":"bench-10000","avatar_url":"Seraphina.png"}'
se_open() { curl -sS --max-time 600 -o /dev/null -w '%{time_total} %{size_download} %{http_code}\n' -H "$AUTH" "$SE_BASE/api/v1/adventures/$ADV/turns?limit=20"; }
st_open() { curl -sS --max-time 600 -o /dev/null -w '%{time_total} %{size_download} %{http_code}\n' -H 'content-type: application/json' -X POST "$ST_BASE/api/chats/get" -d "$ST_OPEN"; }
se_library() { curl -sS --max-time 600 -o /dev/null -w '%{time_total} %{size_download} %{http_code}\n' -H "$AUTH" "$SE_BASE/api/v1/worlds/$WORLD/characters?limit=50"; }
st_library() { curl -sS --max-time 600 -o /dev/null -w '%{time_total} %{size_download} %{http_code}\n' -H 'content-type: application/json' -X POST "$ST_BASE/api/characters/all" -d '{}'; }
se_save() { curl -sS --max-time 600 -o /dev/null -w '%{time_total} %{size_download} %{http_code}\n' -H "$AUTH" -H 'content-type: application/json' -X PATCH "$SE_BASE/api/v1/adventures/$ADV100/turns/$TURN100" -d "{\"playerText\":\"*I follow the light and keep to the moss.* Let us press on to the glade (edit $1).\"}"; }
st_save() { curl -sS --max-time 600 -o /dev/null -w '%{time_total} %{size_download} %{http_code}\n' -H 'content-type: application/json' -X POST "$ST_BASE/api/chats/save" --data-binary "@$WORK/save-100.json"; }

# The seeds, checked: both libraries list the same number of cards, both stories hold the chat.
ST_COUNT=$(curl -sf --max-time 600 -H 'content-type: application/json' -X POST "$ST_BASE/api/characters/all" -d '{}' | json_get length)
ST_MSGS=$(curl -sf --max-time 600 -H 'content-type: application/json' -X POST "$ST_BASE/api/chats/get" -d "$ST_OPEN" | json_get length)
ST_SAVED=$(curl -sf --max-time 600 -H 'content-type: application/json' -X POST "$ST_BASE/api/chats/save" --data-binary "@$WORK/save-100.json")
[ "$ST_SAVED" = '{"result":"ok"}' ] || { log "SillyTavern's save answered $ST_SAVED"; exit 1; }
SE_COUNT=0 cursor=""
while :; do
  page=$(curl -sf --max-time 120 -H "$AUTH" "$SE_BASE/api/v1/worlds/$WORLD/characters?limit=200${cursor:+&cursor=$cursor}")
  SE_COUNT=$((SE_COUNT + $(echo "$page" | json_get items.length)))
  cursor=$(echo "$page" | json_get nextCursor)
  [ -n "$cursor" ] && [ "$cursor" != null ] && [ "$cursor" != undefined ] || break
done
log "seeded: SillyTavern $ST_COUNT characters, chat of $((ST_MSGS - 1)) messages; Story Engine $SE_COUNT characters, newest turn $SE_TURNS"

measure() { # name: one unmeasured warm-up each, then ROUNDS rounds, the first server alternating
  local name=$1 r
  se_"$name" 0 >/dev/null
  st_"$name" >/dev/null
  for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then
      se_"$name" "$r" >>"$WORK/$name-se.txt"; st_"$name" >>"$WORK/$name-st.txt"
    else
      st_"$name" >>"$WORK/$name-st.txt"; se_"$name" "$r" >>"$WORK/$name-se.txt"
    fi
  done
  if awk '$3 != 200 {bad=1} END {exit !bad}' "$WORK/$name-se.txt" "$WORK/$name-st.txt"; then
    log "$name: a request did not answer 200"; cat "$WORK/$name-se.txt" "$WORK/$name-st.txt" >&2; exit 1
  fi
  log "$name: done"
}
log "measuring: $ROUNDS rounds each"
measure open
measure library
SE_RSS=$(rss_mb "$SE_PID") ST_RSS=$(rss_mb "$ST_PID")
measure save
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

ms() { awk '{print $1 * 1000}' "$1" | median; }
kb() { awk '{print $2 / 1024}' "$1" | median; }
row() { # label file-se file-st unit
  local se st
  se=$(ms "$2") st=$(ms "$3")
  printf '| %s | %.1f ms | %.1f ms | %.1f× | %.1f KB | %.1f KB |\n' "$1" "$se" "$st" "$(echo "$st $se" | awk '{print $1 / $2}')" "$(kb "$2")" "$(kb "$3")"
}
SE_START=$(median <"$WORK/start-se.txt") ST_START=$(median <"$WORK/start-st.txt")

echo "# Side by side with SillyTavern — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "Command: \`bench/sillytavern.sh $ROUNDS\` (BENCH_CARDS=$CARDS, BENCH_STARTS=$STARTS)"
echo "Story Engine $SE_VER (commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ', src modified')), SQLite; SillyTavern $ST_VER (npm release, node $(node --version))"
echo "Machine: $(nproc) cores, $(awk -F: '/model name/ {sub(/^ /, "", $2); print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM, Linux $(uname -r)"
echo "Load average: before $LOAD_BEFORE, after $LOAD_AFTER"
echo "Seeded: one character (Seraphina) with a chat of $MESSAGES messages (SillyTavern: ${ST_MSGS} lines read back, header included; Story Engine: newest turn $SE_TURNS) and one of 100; $CARDS real PNG cards ($(basename -a "${PNGS[@]}" | tr '\n' ' ')cycled). Libraries: SillyTavern $ST_COUNT characters, Story Engine $SE_COUNT."
echo
echo "Medians of $ROUNDS interleaved requests each (after one warm-up each); ratio = SillyTavern / Story Engine."
echo
echo "| measure | Story Engine | SillyTavern | ratio | SE body | ST body |"
echo "|---|---|---|---|---|---|"
row "open the newest page of the 10,000-message story (SE \`GET …/turns?limit=20\`; ST \`POST /api/chats/get\`, the whole chat)" "$WORK/open-se.txt" "$WORK/open-st.txt"
row "character library (SE \`GET …/characters?limit=50\`; ST \`POST /api/characters/all\`, all $ST_COUNT)" "$WORK/library-se.txt" "$WORK/library-st.txt"
row "write after a message in a 100-message chat (SE \`PATCH …/turns/{newest} {playerText}\`, one event appended; ST \`POST /api/chats/save\`, the whole chat)" "$WORK/save-se.txt" "$WORK/save-st.txt"
printf '| process RSS after the library listing | %s MB | %s MB | %.1f× | | |\n' "$SE_RSS" "$ST_RSS" "$(echo "$ST_RSS $SE_RSS" | awk '{print $1 / $2}')"
printf '| start-up to first 200, fresh data folder (median of %s; SE `/health/ready`, ST `GET /`) | %s ms | %s ms | %.2f× | | |\n' "$STARTS" "$SE_START" "$ST_START" "$(echo "$ST_START $SE_START" | awk '{print $1 / $2}')"
echo
echo "Every sample (ms): "
for f in open library save; do
  echo "- $f: SE $(awk '{printf "%.1f ", $1 * 1000}' "$WORK/$f-se.txt")/ ST $(awk '{printf "%.1f ", $1 * 1000}' "$WORK/$f-st.txt")"
done
echo "- start-up: SE $(tr '\n' ' ' <"$WORK/start-se.txt")/ ST $(tr '\n' ' ' <"$WORK/start-st.txt")"
