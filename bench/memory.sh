#!/usr/bin/env bash
# The steps of run.sh that raise the server's memory, on one seeded SQLite
# file, with the peak (VmHWM), resident and anonymous memory after each: to
# compare two builds on the same data without seeding a million twice.
#
#   bash bench/memory.sh FILE PASSWORD [BINARY]
#
# FILE was seeded by `seed --synthetic N --seed 7` (PASSWORD is the one it
# printed); the writes step changes it, so give each run a copy. BINARY
# defaults to target/release/gef-commitments. MEMORY_DURATION: wrk -d of
# each step (default 3s).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
db=$1; password=$2; bin=${3:-$root/target/release/gef-commitments}; d=${MEMORY_DURATION:-3s}
work=$(mktemp -d /tmp/gef-memory.XXXXXX)
trap 'rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export DATABASE_URL="sqlite:$db" GEF_JWT_SECRET="bench-secret-that-is-at-least-32-bytes-long" RUST_LOG=warn GEF_RATE_LIMIT=off
started=$(date +%s.%N)
GEF_BIND="127.0.0.1:$port" "$bin" serve >$work/server.log 2>&1 &
pid=$!
until curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; do sleep 0.05; done
python3 -c "import sys,time; print(f'ready {time.time()-float(sys.argv[1]):.2f} s')" "$started"
mem() { awk -v s="$1" '/VmHWM/{h=int($2/1024)} /VmRSS/{r=int($2/1024)} /RssAnon/{a=int($2/1024)} END{printf "%-28s hwm %4d rss %4d anon %4d\n", s, h, r, a}' /proc/$pid/status; }
mem ready
api="http://127.0.0.1:$port/api/v1"
w() { out=$(wrk -t2 -c32 -d$d "http://127.0.0.1:$port$2" "${@:3}"); rps=$(awk '/^Requests\/sec:/{print $2}' <<<"$out"); mem "$1 $rps/s"; }
id=$(curl -sf "$api/commitments?status=approved&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
w get_one "/api/v1/commitments/$id"
w list "/api/v1/commitments?coalition=technology-innovation&status=approved&limit=50"
w summary /api/v1/stats/summary
for f in country=KH constituency=government type=financial action_area=1 status=approved "region=Asia%20and%20the%20Pacific" reporting_health=green q=girls "coalition=technology-innovation&country=KH&type=financial"; do
  w "s_${f:0:14}" "/api/v1/stats/summary?$f"
  w "b_${f:0:14}" "/api/v1/stats/breakdown?by=country&$f"
done
curl -sf "$api/exports/commitments?format=ndjson" | wc -l >/dev/null; mem export
coalitions=$(curl -sf "$api/coalitions" | python3 -c 'import json,sys; print(",".join(c["slug"] for c in json.load(sys.stdin)["items"]))')
: >$work/makers
pids=()
for i in $(seq 0 63); do
  ( token=$(curl -sf --interface "127.0.0.$((2 + i % 4))" -X POST "$api/auth/token" -H 'content-type: application/json' \
      -d "{\"email\": \"maker$i.s7@synthetic.example.org\", \"password\": \"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    org=$(curl -sf "$api/me" -H "Authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["organization"]["id"])')
    c=$(python3 -c "import sys; c=sys.argv[1].split(','); print(c[$i % len(c)])" "$coalitions")
    echo "$org $token $c" >>$work/makers ) &
  pids+=($!)
  if (( i % 16 == 15 )); then wait "${pids[@]}"; pids=(); fi
done
mem "signins $(wc -l <$work/makers)"
MAKERS_FILE=$work/makers WRK_THREADS=2 w writes / -s $root/bench/write.lua
mem end
kill $pid; wait $pid 2>/dev/null
grep -E 'WARN|ERROR' $work/server.log | sort | uniq -c | head -3
