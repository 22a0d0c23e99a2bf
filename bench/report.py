"""Turns bench/run.sh's measurements into bench/RESULTS.md: the table, and
DESIGN.md section 4's ratios with whether each holds."""
import csv
import sys
from datetime import datetime, timezone

path, cores, duration, connections, threads = sys.argv[1:6]
rows = list(csv.DictReader(open(path), delimiter="\t"))
by = {(r["backend"], r["size"], r["name"]): r for r in rows}
backends = list(dict.fromkeys(r["backend"] for r in rows))
sizes = sorted({r["size"] for r in rows}, key=int)


def value(backend, size, name, field="value"):
    row = by.get((backend, size, name))
    try:
        return float(row[field]) if row and row[field] else None
    except ValueError:
        return None


def fmt(x, digits=0):
    return "—" if x is None else f"{x:,.{digits}f}"


out = []
w = out.append
w("# Benchmark results")
w("")
w(f"Written by `bench/run.sh` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC: release build, "
  f"{cores} cores, `wrk -t{threads} -c{connections} -d{duration}` on the same machine as the server, "
  "synthetic data from `seed --synthetic N --seed 7`. One run; compare ratios within it, not absolute "
  "figures across machines.")
w("")
names = [("health_live", "`/health/live`"), ("coalitions", "`/coalitions`"), ("get_one", "GET one commitment"),
         ("list_page", "list page of 50 (coalition + status)"), ("deep_page", "the same, 20 pages in"),
         ("stats_summary", "`/stats/summary`"), ("stats_by_country", "`/stats/breakdown?by=country`"),
         ("writes", "writes (create, then submit)")]
FILTERS = ["country", "constituency", "type", "action_area", "status", "region", "reporting_health", "q",
           "three_filters"]
FILTER_LABELS = {"three_filters": "coalition + country + type"}
for f in FILTERS:
    names.append((f"summary_{f}", f"`/stats/summary` by {FILTER_LABELS.get(f, f)}"))
    names.append((f"breakdown_{f}", f"`/stats/breakdown?by=country` by {FILTER_LABELS.get(f, f)}"))
for backend in backends:
    for size in sizes:
        if not any(k[0] == backend and k[1] == size for k in by):
            continue
        w(f"## {backend}, {int(size):,} commitments")
        w("")
        w("| request | req/s | p50 ms | p99 ms | non-2xx | peak RSS so far, MiB |")
        w("|---|---:|---:|---:|---:|---:|")
        for name, label in names:
            if (backend, size, name) in by:
                r = by[(backend, size, name)]
                w(f"| {label} | {fmt(value(backend, size, name))} | {r['p50_ms']} | {r['p99_ms']} | {r['errors']} "
                  f"| {r.get('peak_mib') or '—'} |")
        w("")
        w(f"- seeding: {fmt(value(backend, size, 'seed'))} s")
        if value(backend, size, "pgbench") is not None:
            w(f"- `pgbench -N -c 16 -j 2` on the same cluster: {fmt(value(backend, size, 'pgbench'))} tps")
        disk = value(backend, size, "disk_bytes")
        if disk is not None:
            w(f"- disk after a checkpoint: {fmt(disk / 2**20, 1)} MiB, {fmt(disk / int(size))} bytes per commitment")
        tables = sorted(((k[2][len("disk_table:"):], float(r["value"])) for k, r in by.items()
                         if k[0] == backend and k[1] == size and k[2].startswith("disk_table:")),
                        key=lambda t: -t[1])
        if tables:
            w("- where the bytes go (SQLite `dbstat`, the ten largest tables and indexes): " + ", ".join(
                f"`{n}` {fmt(b / int(size))} B" for n, b in tables[:10]) + " per commitment")
        if value(backend, size, "startup_s") is not None:
            w(f"- start-up, exec to `/health/ready` 200: {fmt(value(backend, size, 'startup_s'), 2)} s")
        w(f"- export (NDJSON, every public commitment): {fmt(value(backend, size, 'export'))} commitments/s")
        peak = value(backend, size, "peak_rss_kib")
        w(f"- peak resident memory of the server over the whole run (sign-ins included): "
          f"{fmt(peak / 1024 if peak else None, 1)} MiB")
        w("")

w("## DESIGN.md §4")
w("")
w("| figure | goal | " + " | ".join(f"{b}" for b in backends) + " |")
w("|---|---|" + "---|" * len(backends))


def ratio(a, b):
    return a / b if a is not None and b else None


def cell(measured, goal_holds, text):
    if measured is None:
        return "—"
    return f"{text} {'✅' if goal_holds(measured) else '❌'}"


small, large = (sizes[0], sizes[-1]) if sizes else (None, None)
checks = []
for size in sizes:
    checks.append((f"GET one ÷ `/health/live` ({int(size):,})", "≥ 0.5",
                   lambda b, s=size: ratio(value(b, s, "get_one"), value(b, s, "health_live")), lambda x: x >= 0.5))
    checks.append((f"`/coalitions` ÷ GET one ({int(size):,})", "≥ 1",
                   lambda b, s=size: ratio(value(b, s, "coalitions"), value(b, s, "get_one")), lambda x: x >= 1))
    checks.append((f"list page ÷ GET one ({int(size):,})", "≥ 0.2",
                   lambda b, s=size: ratio(value(b, s, "list_page"), value(b, s, "get_one")), lambda x: x >= 0.2))
    checks.append((f"writes ÷ GET one ({int(size):,})", "≥ 0.1",
                   lambda b, s=size: ratio(value(b, s, "writes"), value(b, s, "get_one")), lambda x: x >= 0.1))
if small != large:
    checks.append(("list page p99, 1M ÷ 10k", "≤ 1.5",
                   lambda b: ratio(value(b, large, "list_page", "p99_ms"), value(b, small, "list_page", "p99_ms")),
                   lambda x: x <= 1.5))
    checks.append(("`/stats/summary` p50, 1M ÷ 10k", "≤ 2",
                   lambda b: ratio(value(b, large, "stats_summary", "p50_ms"), value(b, small, "stats_summary", "p50_ms")),
                   lambda x: x <= 2))
    checks.append(("`/stats/summary` p99, 1M ÷ 10k", "≤ 2",
                   lambda b: ratio(value(b, large, "stats_summary", "p99_ms"), value(b, small, "stats_summary", "p99_ms")),
                   lambda x: x <= 2))
if large:
    checks.append((f"peak RSS at {int(large):,} (MiB)", "< 100",
                   lambda b: (value(b, large, "peak_rss_kib") or 0) / 1024 or None, lambda x: x < 100))
    checks.append((f"`seed --synthetic {int(large):,}` (minutes)", "minutes",
                   lambda b: (value(b, large, "seed") or 0) / 60 or None, lambda x: x < 60))
# DESIGN.md §4, "Next".
if small != large:
    for f in FILTERS:
        for kind in ("summary", "breakdown"):
            name = f"{kind}_{f}"
            checks.append((f"{kind} by {FILTER_LABELS.get(f, f)}: p99 1M ÷ 10k", "≤ 2",
                           lambda b, n=name: ratio(value(b, large, n, "p99_ms"), value(b, small, n, "p99_ms")),
                           lambda x: x <= 2))
            checks.append((f"{kind} by {FILTER_LABELS.get(f, f)}: req/s ÷ unfiltered summary (1M)", "≥ 0.5",
                           lambda b, n=name: ratio(value(b, large, n), value(b, large, "stats_summary")),
                           lambda x: x >= 0.5))
for size in sizes:
    checks.append((f"PostgreSQL writes ÷ pgbench -N tps ({int(size):,})", "≥ 0.5",
                   lambda b, s=size: ratio(value(b, s, "writes"), value(b, s, "pgbench")), lambda x: x >= 0.5))
if large:
    checks.append((f"disk per commitment at {int(large):,} (bytes)", "≤ 2,048",
                   lambda b: ratio(value(b, large, "disk_bytes"), int(large)), lambda x: x <= 2048))
    checks.append((f"peak RSS at {int(large):,}, whole bench (MiB)", "≤ 128",
                   lambda b: (value(b, large, "peak_rss_kib") or 0) / 1024 or None, lambda x: x <= 128))
    checks.append((f"start-up at {int(large):,} (s)", "≤ 15",
                   lambda b: value(b, large, "startup_s"), lambda x: x <= 15))
for label, goal, measure, holds in checks:
    cells = []
    for b in backends:
        m = measure(b)
        cells.append(cell(m, holds, fmt(m, 2)))
    w(f"| {label} | {goal} | " + " | ".join(cells) + " |")
w("")
print("\n".join(out))
