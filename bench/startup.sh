#!/usr/bin/env bash
# Start-up time on the embedded default: from exec to the first 200 from
# /health/ready, on a fresh data folder (creates the file, migrates, seeds) and
# on a restart (the file exists). Prints medians in milliseconds, and the
# ratio to a bare `gef-commitments --version` exec as a noise-free yardstick.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$(pwd)/target/release/gef-commitments
runs=${RUNS:-15}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# Milliseconds from exec to ready, in folder $1.
start_once() {
    local dir=$1 port start pid
    port=$(free_port)
    start=$(now_ms)
    (cd "$dir" && GEF_BIND="127.0.0.1:$port" RUST_LOG=warn exec "$bin" serve >/dev/null) &
    pid=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; do sleep 0.002; done
    echo $(( $(now_ms) - start ))
    kill "$pid"; wait "$pid" 2>/dev/null || true
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

fresh=(); restart=(); bare=()
for i in $(seq "$runs"); do
    mkdir "$work/$i"
    fresh+=("$(start_once "$work/$i")")
    restart+=("$(start_once "$work/$i")")
    s=$(now_ms); "$bin" --version >/dev/null; bare+=($(( $(now_ms) - s )))
done
fresh_ms=$(printf '%s\n' "${fresh[@]}" | median)
restart_ms=$(printf '%s\n' "${restart[@]}" | median)
bare_ms=$(printf '%s\n' "${bare[@]}" | median)
echo "runs: $runs"
echo "first start (create + migrate + seed) to ready: ${fresh_ms} ms (median)"
echo "restart on the same file to ready:             ${restart_ms} ms (median)"
echo "bare exec (--version):                          ${bare_ms} ms (median)"
