#!/usr/bin/env bash
# First-render time of the web app's pages: make an admin (through the CLI: no page makes admins), sign in through the
# form, make a world and an adventure, then time each page; then the first contentful paint of two pages in chromium.
# Usage: build Release, start the server
#   dotnet src/StoryEngine.Server/bin/Release/net10.0/storyengine.dll serve --data-dir /tmp/webbench --urls http://127.0.0.1:5098
# then bench/web-pages.sh [base-url] [data-dir]. Loopback only; 23 requests a page.
# It also imports a 200-turn adventure (a SillyTavern chat with Markdown in it, through the API) and reports the play
# page's first contentful paint and transferred bytes for it (issue 18's targets: <= 300 ms, <= 150 KB).
set -euo pipefail
B=${1:-http://127.0.0.1:5098}; DATA=${2:-/tmp/webbench}; J=$(mktemp)
CLI=${STORYENGINE:-dotnet src/StoryEngine.Server/bin/Release/net10.0/storyengine.dll}
PASSWORD="a long enough password"; U=benchadm$RANDOM
printf '%s' "$PASSWORD" | $CLI users add "$U" --admin --password-stdin --data-dir "$DATA" >/dev/null
token() { curl -s -b $J -c $J "$B$1" | sed -n 's/.*name="__RequestVerificationToken" type="hidden" value="\([^"]*\)".*/\1/p' | head -n1; }
T=$(token /signin)
curl -s -o /dev/null -b $J -c $J -X POST "$B/signin" --data-urlencode "username=$U" --data-urlencode "password=$PASSWORD" --data-urlencode "__RequestVerificationToken=$T"
T=$(token /library)
W=$(curl -s -o /dev/null -w '%{redirect_url}' -b $J -c $J -X POST "$B/library?handler=CreateWorld" --data-urlencode "name=Bench" --data-urlencode "__RequestVerificationToken=$T" | sed 's#.*/worlds/##')
T=$(token "/adventures/new?world=$W")
A=$(curl -s -o /dev/null -w '%{redirect_url}' -b $J -c $J -X POST "$B/adventures/new" --data-urlencode "world=$W" --data-urlencode "__RequestVerificationToken=$T" | sed 's#.*/play/##')
[ -n "$W" ] && [ -n "$A" ] || { echo "could not sign in and make a world and an adventure" >&2; exit 1; }
TOKEN=$(curl -s -X POST "$B/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"$U\",\"password\":\"$PASSWORD\"}" | sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')
CHAT=$(mktemp --suffix=.jsonl)
echo '{"user_name":"You","character_name":"Maren","create_date":"2026-12-07","chat_metadata":{}}' > "$CHAT"
for i in $(seq 1 200); do
  echo "{\"name\":\"You\",\"is_user\":true,\"mes\":\"*I look at the lamp* and ask about night $i.\"}" >> "$CHAT"
  echo "{\"name\":\"Maren\",\"is_user\":false,\"mes\":\"Maren *trims the wick* for the ${i}th time.\\n\\n> \\\"The sea keeps its own count,\\\" she says.\\n\\nOutside, the fog rolls over the harbour, **thick** as wool, and the bells answer the wind.\"}" >> "$CHAT"
done
LONG=$(curl -s -H "authorization: Bearer $TOKEN" -F "file=@$CHAT" -F "worldId=$W" -F "title=Two hundred turns" \
  "$B/api/v1/adventures/import" | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
[ -n "$LONG" ] || { echo "could not import the 200-turn adventure" >&2; exit 1; }
for p in /signin /library "/worlds/$W" /adventures "/play/$A" /account /account/api-keys /account/usage /admin/users /admin/audit /admin/backends; do
  for i in 1 2 3; do curl -s -o /dev/null -b $J "$B$p"; done   # warm up
  times=$(for i in $(seq 1 20); do curl -s -o /dev/null -w '%{time_total}\n' -b $J "$B$p"; done | sort -n)
  echo "$p median $(echo "$times" | sed -n 10p)s p95 $(echo "$times" | sed -n 19p)s max $(echo "$times" | tail -n1)s"
done
PW=$(ls -d ~/.nuget/packages/microsoft.playwright/*/.playwright 2>/dev/null | tail -n1 || true)
if [ -n "$PW" ] && [ -x /usr/bin/chromium ]; then
  PLAYWRIGHT_PACKAGE=$PW/package "$PW/node/linux-x64/node" bench/web-fcp.js "$B" "$J" /library "/play/$A" "/play/$LONG"
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
