#!/usr/bin/env bash
# The benchmark of DESIGN.md §4, in one run: builds the release binary,
# seeds 10,000 and 1,000,000 synthetic commitments on SQLite and on
# PostgreSQL, starts the server on each and measures every request with wrk;
# writes bench/RESULTS.md (the table, the ratios and whether each holds).
#
#   bash bench/run.sh                      # everything (about an hour)
#   BENCH_SIZES="10000" BENCH_BACKENDS=sqlite bash bench/run.sh   # a quick look
#
# Knobs: BENCH_SIZES, BENCH_BACKENDS, BENCH_DURATION (wrk -d, default 10s),
# BENCH_CONNECTIONS (wrk -c, default 32), BENCH_THREADS (wrk -t, default 2),
# BENCH_SERVER_BIN (serve with another build, e.g. an older commit's, on
# data seeded by this one), BENCH_RESULTS (where to write, default
# bench/RESULTS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
sizes=${BENCH_SIZES:-"10000 1000000"}
backends=${BENCH_BACKENDS:-"sqlite postgres"}
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}
work=$(mktemp -d /tmp/gef-bench.XXXXXX)
chmod 755 "$work"
results="$work/results.tsv"
server_pid=""
pg_bin=""

log() { printf '\n==> %s\n' "$*" >&2; }

cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    if [ -n "$pg_bin" ] && [ -f "$work/pg/data/postmaster.pid" ]; then
        runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg/data" -m fast stop >/dev/null 2>&1 || true
    fi
    # What a run that stopped had measured is kept beside its report.
    [ -f "$results" ] && [ -n "${report:-}" ] && cp "$results" "$report.tsv"
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

install() {
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "$@" >/dev/null
}

command -v wrk >/dev/null || { log "installing wrk"; install wrk; }
log "building the release binary"
cargo build --release --locked
bin="${CARGO_TARGET_DIR:-$root/target}/release/gef-commitments"
server_bin=${BENCH_SERVER_BIN:-$bin}
report=${BENCH_RESULTS:-$root/bench/RESULTS.md}

if [[ " $backends " == *" postgres "* ]]; then
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
        log "installing PostgreSQL"
        install postgresql
        pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
    mkdir -p "$work/pg"
    chown postgres "$work/pg"
    pg_port=$(free_port)
    log "starting PostgreSQL on 127.0.0.1:$pg_port"
    runuser -u postgres -- "$pg_bin/initdb" -D "$work/pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    # Settings for this machine's size; durability as a production server keeps it.
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $work/pg -c shared_buffers=512MB -c max_connections=100 -c max_wal_size=4GB" \
        start >/dev/null
fi

# wrk's latency figures in milliseconds.
to_ms() {
    python3 -c '
import sys, re
m = re.match(r"([0-9.]+)(us|ms|s)$", sys.argv[1])
value, unit = float(m.group(1)), m.group(2)
print(round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 2))' "$1"
}

# measure BACKEND SIZE NAME PATH [wrk options…]: one wrk run, a line of results.
measure() {
    local backend=$1 size=$2 name=$3 path=$4 out rps p50 p99 errors
    shift 4
    out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "$@" "http://127.0.0.1:$port$path")
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
    errors=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
    hwm=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$server_pid/status")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$backend" "$size" "$name" "$rps" "$p50" "$p99" "${errors:-0}" "$hwm" >>"$results"
    printf '%-10s %-8s %-22s %10s req/s  p50 %8s ms  p99 %8s ms  errors %s  peak RSS so far %s MiB\n' \
        "$backend" "$size" "$name" "$rps" "$p50" "$p99" "${errors:-0}" "$hwm" >&2
}

json() { python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

run() {
    local backend=$1 size=$2 database seeded
    case $backend in
        sqlite) database="sqlite:$work/bench-$size.db" ;;
        postgres)
            runuser -u postgres -- "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" "bench_$size"
            database="postgres://postgres@127.0.0.1:$pg_port/bench_$size" ;;
    esac
    # One address sends everything: no request limit.
    export DATABASE_URL="$database" GEF_JWT_SECRET="bench-secret-that-is-at-least-32-bytes-long" RUST_LOG=warn GEF_RATE_LIMIT=off
    log "$backend, $size commitments: seeding"
    seeded=$( { /usr/bin/time -f '%e' "$bin" seed --synthetic "$size" --seed 7 >"$work/seed.out"; } 2>&1 | tail -n 1)
    local password maker
    password=$(sed -n 's/.*all with the password \(.*\)$/\1/p' "$work/seed.out")
    printf '%s\t%s\tseed\t%s\t\t\t\t\n' "$backend" "$size" "$seeded" >>"$results"
    if [ "$backend" = postgres ]; then
        # Write the seed's pages out now rather than during the measurements: the checkpoint
        # PostgreSQL spreads over minutes after a bulk load stalled reads (p99 of
        # /stats/summary at a million went to 90-200 ms in two runs, 20 ms in others).
        runuser -u postgres -- "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -d "bench_$size" -qc CHECKPOINT
    fi
    printf '%-10s %-8s seeded in %s s\n' "$backend" "$size" "$seeded" >&2

    port=$(free_port)
    GEF_BIND="127.0.0.1:$port" "$server_bin" serve >"$work/server.log" 2>&1 &
    server_pid=$!
    # Ready within two minutes (the goal is 15 s at a million), or say why not.
    for _ in $(seq 1200); do curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready" && break; sleep 0.1; done
    if ! curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; then
        log "$backend, $size: not ready after two minutes; the server's log:"
        tail -n 20 "$work/server.log" >&2
        exit 1
    fi
    local api="http://127.0.0.1:$port/api/v1"
    local list="/api/v1/commitments?coalition=technology-innovation&status=approved&limit=50"
    local id cursor
    id=$(curl -sf "$api/commitments?status=approved&limit=1" | json 'd["items"][0]["id"]')
    # A deep page: twenty pages in, through the cursors.
    cursor=""
    for _ in $(seq 20); do
        cursor=$(curl -sf "http://127.0.0.1:$port$list${cursor:+&cursor=$cursor}" | json 'd["next_cursor"] or ""')
    done

    measure "$backend" "$size" health_live /health/live
    measure "$backend" "$size" coalitions /api/v1/coalitions
    measure "$backend" "$size" get_one "/api/v1/commitments/$id"
    measure "$backend" "$size" list_page "$list"
    measure "$backend" "$size" deep_page "$list&cursor=$cursor"
    measure "$backend" "$size" stats_summary /api/v1/stats/summary
    measure "$backend" "$size" stats_by_country "/api/v1/stats/breakdown?by=country"
    # The figures under each filter, and three at once: summary and breakdown.
    local filter name
    for filter in country=KH constituency=government type=financial action_area=1 \
        status=approved "region=Asia%20and%20the%20Pacific" reporting_health=green q=girls \
        "coalition=technology-innovation&country=KH&type=financial"; do
        name=$(printf '%s' "$filter" | cut -d= -f1)
        [ "$filter" = "${filter#coalition=}" ] || name=three_filters
        measure "$backend" "$size" "summary_$name" "/api/v1/stats/summary?$filter"
        measure "$backend" "$size" "breakdown_$name" "/api/v1/stats/breakdown?by=country&$filter"
    done

    # An export's throughput: every public commitment as NDJSON.
    local started ended rows
    started=$(date +%s.%N)
    rows=$(curl -sf "$api/exports/commitments?format=ndjson" | wc -l)
    ended=$(date +%s.%N)
    hwm=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$server_pid/status")
    python3 -c "import sys; r, s, e = map(float, sys.argv[1:]); print(f'$backend\t$size\texport\t{r / (e - s):.0f}\t\t\t\t$hwm')" \
        "$rows" "$started" "$ended" >>"$results"
    tail -n 1 "$results" | awk -F'\t' '{printf "%-10s %-8s export                 %10s commitments/s\n", $1, $2, $4}' >&2

    # Writes: many makers of many organizations, signed in beforehand from
    # four loopback addresses (the sign-in limit is 20 at once per address).
    # Maker i's organization was accepted into the (i mod 7)th coalition.
    local coalitions count
    coalitions=$(curl -sf "$api/coalitions" | json '",".join(c["slug"] for c in d["items"])')
    count=$(( size / 50 < 64 ? size / 50 : 64 ))
    : >"$work/makers"
    for i in $(seq 0 $((count - 1))); do
        maker="maker$i.s7@synthetic.example.org"
        local token organization coalition
        token=$(curl -sf --interface "127.0.0.$((2 + i % 4))" -X POST "$api/auth/token" \
            -H 'content-type: application/json' \
            -d "{\"email\": \"$maker\", \"password\": \"$password\"}" | json 'd["access_token"]')
        organization=$(curl -sf "$api/me" -H "Authorization: Bearer $token" | json 'd["organization"]["id"]')
        coalition=$(python3 -c "import sys; c = sys.argv[1].split(','); print(c[$i % len(c)])" "$coalitions")
        printf '%s %s %s\n' "$organization" "$token" "$coalition" >>"$work/makers"
    done
    MAKERS_FILE="$work/makers" WRK_THREADS="$threads" \
        measure "$backend" "$size" writes "/" -s "$root/bench/write.lua"

    if [ "$backend" = postgres ]; then
        # The database's own pace on this cluster in this run: pgbench's
        # simple updates (-N: no shared branch or teller row), 16 clients.
        local tps
        runuser -u postgres -- "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" "pgbench_$size"
        runuser -u postgres -- "$pg_bin/pgbench" -h 127.0.0.1 -p "$pg_port" -i -q -s 16 "pgbench_$size" >/dev/null 2>&1
        tps=$(runuser -u postgres -- "$pg_bin/pgbench" -h 127.0.0.1 -p "$pg_port" -N -c 16 -j 2 -T "${duration%s}" "pgbench_$size" 2>/dev/null \
            | awk '/^tps/ {print int($3)}')
        printf '%s\t%s\tpgbench\t%s\t\t\t\t\n' "$backend" "$size" "$tps" >>"$results"
        printf '%-10s %-8s pgbench -N -c 16 -j 2 %10s tps\n' "$backend" "$size" "$tps" >&2
        runuser -u postgres -- "$pg_bin/dropdb" -h 127.0.0.1 -p "$pg_port" "pgbench_$size"
    fi

    local peak
    peak=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
    printf '%s\t%s\tpeak_rss_kib\t%s\t\t\t\t\n' "$backend" "$size" "$peak" >>"$results"
    printf '%-10s %-8s peak resident memory  %s MiB\n' "$backend" "$size" "$((peak / 1024))" >&2
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

    # Disk: the database after a checkpoint, per commitment (reports,
    # figures and indexes included).
    local bytes commitments
    commitments=$(python3 -c "print($size)")
    case $backend in
        sqlite)
            python3 -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.close()" "$work/bench-$size.db"
            bytes=$(stat -c %s "$work/bench-$size.db")
            # Where the bytes go: every table and index (SQLite's dbstat).
            python3 - "$work/bench-$size.db" "$backend" "$size" >>"$results" <<'PY'
import sqlite3, sys
path, backend, size = sys.argv[1:]
for name, used in sqlite3.connect(path).execute(
        "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"):
    print(f"{backend}\t{size}\tdisk_table:{name}\t{used}\t\t\t\t")
PY
            ;;
        postgres)
            runuser -u postgres -- "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -d "bench_$size" -qc CHECKPOINT
            bytes=$(runuser -u postgres -- "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -d "bench_$size" -tAc "SELECT pg_database_size(current_database())") ;;
    esac
    printf '%s\t%s\tdisk_bytes\t%s\t\t\t\t\n' "$backend" "$size" "$bytes" >>"$results"
    printf '%-10s %-8s disk %s bytes, %s bytes per commitment\n' "$backend" "$size" "$bytes" "$((bytes / commitments))" >&2

    # Start-up: from exec to the first 200 of /health/ready.
    local started ready
    port=$(free_port)
    started=$(date +%s.%N)
    GEF_BIND="127.0.0.1:$port" "$server_bin" serve >"$work/server.log" 2>&1 &
    server_pid=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; do sleep 0.05; done
    ready=$(python3 -c "import sys, time; print(f'{time.time() - float(sys.argv[1]):.2f}')" "$started")
    printf '%s\t%s\tstartup_s\t%s\t\t\t\t\n' "$backend" "$size" "$ready" >>"$results"
    printf '%-10s %-8s ready %s s after start\n' "$backend" "$size" "$ready" >&2
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
    # What the server warned about (a failed write, a pool timeout), if anything.
    if grep -q -E 'WARN|ERROR' "$work/server.log"; then
        printf '%-10s %-8s server warnings:\n' "$backend" "$size" >&2
        grep -E 'WARN|ERROR' "$work/server.log" | sort | uniq -c | sort -rn | head -n 5 >&2
    fi
    [ "$backend" = sqlite ] && rm -f "$work/bench-$size.db"*
    unset DATABASE_URL
}

printf 'backend\tsize\tname\tvalue\tp50_ms\tp99_ms\terrors\tpeak_mib\n' >"$results"
for backend in $backends; do
    for size in $sizes; do
        run "$backend" "$size"
    done
done

python3 "$root/bench/report.py" "$results" "$(nproc)" "$duration" "$connections" "$threads" >"$report"
log "wrote $report"
cat "$report"
