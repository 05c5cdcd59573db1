#!/usr/bin/env python3
"""The tables for docs/benchmarks.md from scripts/bench abuse's results.jsonl (one phase a line).

First table: the well-behaved clients per listener and flood, medians over rounds; the ratios
are per round (flooded ÷ calm of the same listener and round), then their median, against the
goals (rate ≥ 0.80, p99 ≤ 2.00). Second table: what the flood held and what the listener did
about it (counter increments during the phase, medians over rounds)."""
import json
import statistics
import sys
from collections import defaultdict

FLOODS = ("none", "many", "one", "cap")
LISTENERS = ("public", "control")


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def k(v):
    if v is None:
        return "-"
    return f"{v / 1000:.2f}k" if v >= 1000 else f"{v:.0f}"


def num(v, digits=2):
    return "-" if v is None else f"{v:.{digits}f}"


def p99(r):
    """wrk's p99, or None when nothing was answered (wrk then reports 0)."""
    return r["p99_ms"] if r["committed"] > 0 else None


def main(path):
    runs = [json.loads(line) for line in open(path) if line.strip()]
    meta = next((r for r in runs if r.get("run") == "meta"), {})
    fill = next((r for r in runs if r.get("run") == "fill"), {})
    phases = [r for r in runs if r.get("run") == "phase"]
    by = defaultdict(list)  # (listener, flood) -> phases, in round order
    for r in phases:
        by[(r["listener"], r["flood"])].append(r)

    print(f"machine: {meta.get('machine')}; {meta.get('date')}; load at start {meta.get('load')}; "
          f"{meta.get('wrk')}; wrk -t2 -c{meta.get('connections')}, {meta.get('duration_s')} s runs, "
          f"{meta.get('clients')} clients in X-Forwarded-For; store {fill.get('records')} records; "
          f"flood {meta.get('idle')} idle + {meta.get('slowloris')} slowloris + {meta.get('slow_body')} "
          f"slow-body (many, one), reopened {meta.get('reconnect_ms')} ms after a cut; {meta.get('cap_slowloris')} slowloris (cap), "
          f"reopened after {meta.get('cap_reconnect_ms')} ms; {meta.get('lead_s')} s ahead of wrk\n")

    print("| listener | flood | lookups/s | p50 / p99 ms | rate ÷ calm | p99 ÷ calm p99 | non-2xx; socket errors "
          "| newcomers answered |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for listener in LISTENERS:
        calm = {r["round"]: r for r in by[(listener, "none")]}
        for flood in FLOODS:
            rs = by[(listener, flood)]
            if not rs:
                continue
            rate_ratio = med([r["records_per_s"] / calm[r["round"]]["records_per_s"]
                              for r in rs if r["round"] in calm and calm[r["round"]]["records_per_s"]])
            p99_ratio = med([p99(r) / p99(calm[r["round"]]) for r in rs
                             if r["round"] in calm and p99(r) is not None and p99(calm[r["round"]])])
            goals = flood != "none"
            rate_cell = "" if not goals else f"**{num(rate_ratio)}**" + (" (≥ 0.80)" if listener == "public" else "")
            p99_cell = "" if not goals else f"**{num(p99_ratio)}**" + (" (≤ 2.00)" if listener == "public" else "")
            non2xx = sum(r["errors"]["non2xx"] for r in rs)
            socket = sum(r["errors"][e] for r in rs for e in ("connect", "read", "write", "timeout"))
            newcomers = [r.get("newcomers") or {} for r in rs]
            answered = sum(n.get("answered", 0) for n in newcomers)
            attempts = sum(n.get("attempts", 0) for n in newcomers)
            print(f"| {listener} | {flood} | {k(med([r['records_per_s'] for r in rs]))} | "
                  f"{num(med([r['p50_ms'] for r in rs if p99(r) is not None]))} / {num(med([p99(r) for r in rs]))} | "
                  f"{rate_cell} | {p99_cell} | {non2xx}; {socket} | {answered}/{attempts} |")

    print("\nThe flood and the listener (medians over rounds; counters are increments during the phase):\n")
    print("| listener | flood | flood: open (mean) / opened / cut (≤ 1 s) | server: open mean / max | "
          "refused: server full / address full | evicted idle | timed out: head / idle / body / write | 429 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for listener in LISTENERS:
        for flood in FLOODS:
            rs = by[(listener, flood)]
            if not rs:
                continue

            def server(key):
                return med([r["server"].get(key) for r in rs])

            def flooder(key):
                return med([(r.get("flood_report") or {}).get(key) for r in rs]) if flood != "none" else None

            cut_early = med([sum(kind["cut_within_1s"] for kind in r["flood_report"]["kinds"].values())
                             for r in rs]) if flood != "none" else None
            flood_cell = "-" if flood == "none" else \
                f"{num(flooder('open_mean'), 0)} / {k(flooder('opened'))} / {k(flooder('cut'))} ({k(cut_early)})"
            print(f"| {listener} | {flood} | {flood_cell} | {num(server('open_mean'), 0)} / {num(server('open_max'), 0)} | "
                  f"{k(server('connections_refused.server_full'))} / {k(server('connections_refused.address_full'))} | "
                  f"{k(server('connections_evicted'))} | "
                  f"{k(server('connections_timed_out.head'))} / {k(server('connections_timed_out.idle'))} / "
                  f"{k(server('connections_timed_out.body'))} / {k(server('connections_timed_out.write'))} | "
                  f"{k(server('requests_rate_limited'))} |")

    errors = defaultdict(int)
    for r in phases:
        for name, v in ((r.get("flood_report") or {}).get("errors") or {}).items():
            errors[f"{r['listener']}/{r['flood']}: {name}"] += v
    print("\nThe flood's failed attempts (all rounds): " +
          (", ".join(f"{name} {v}" for name, v in errors.items()) if errors else "none"))


if __name__ == "__main__":
    main(sys.argv[1])
