#!/usr/bin/env bash
# First-render time of the main pages: sign up through the form, make a world and an adventure, then time each page.
# Usage: start the server (dotnet src/StoryEngine.Server/bin/Release/net10.0/storyengine.dll serve --data-dir /tmp/webbench --urls http://127.0.0.1:5098),
# then bench/web-pages.sh [base-url]. Loopback only; 23 requests a page.
set -euo pipefail
B=${1:-http://127.0.0.1:5098}; J=$(mktemp)
token() { curl -s -b $J -c $J "$B$1" | sed -n 's/.*name="__RequestVerificationToken" type="hidden" value="\([^"]*\)".*/\1/p' | head -n1; }
T=$(token /signup)
curl -s -o /dev/null -b $J -c $J -X POST "$B/signup" --data-urlencode "username=bench$RANDOM" --data-urlencode "password=a long enough password" --data-urlencode "__RequestVerificationToken=$T"
T=$(token /library)
W=$(curl -s -o /dev/null -w '%{redirect_url}' -b $J -c $J -X POST "$B/library?handler=CreateWorld" --data-urlencode "name=Bench" --data-urlencode "__RequestVerificationToken=$T" | sed 's#.*/worlds/##')
T=$(token "/adventures/new?world=$W")
A=$(curl -s -o /dev/null -w '%{redirect_url}' -b $J -c $J -X POST "$B/adventures/new" --data-urlencode "world=$W" --data-urlencode "__RequestVerificationToken=$T" | sed 's#.*/play/##')
for p in /signin /library "/worlds/$W" /adventures "/play/$A"; do
  for i in 1 2 3; do curl -s -o /dev/null -b $J "$B$p"; done   # warm up
  times=$(for i in $(seq 1 20); do curl -s -o /dev/null -w '%{time_total}\n' -b $J "$B$p"; done | sort -n)
  echo "$p median $(echo "$times" | sed -n 10p)s p95 $(echo "$times" | sed -n 19p)s max $(echo "$times" | tail -n1)s"
done
