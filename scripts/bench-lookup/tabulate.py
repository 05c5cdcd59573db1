#!/usr/bin/env python3
"""The table for docs/benchmarks.md from scripts/bench lookup's results.jsonl (one run a line).

One column per store size, medians over rounds, each ratio against its goal. The last column
compares the largest store with the smallest (goal: within ±15%)."""
import json
import statistics
import sys
from collections import defaultdict


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def k(v):
    if v is None:
        return "-"
    return f"{v / 1000:.2f}k" if v >= 1000 else f"{v:.0f}"


def ms(v):
    return "-" if v is None else f"{v:.2f}"


def main(path):
    runs = [json.loads(line) for line in open(path) if line.strip()]
    meta = next((r for r in runs if r.get("run") == "meta"), {})
    by = defaultdict(list)  # (n, run) -> runs
    for r in runs:
        if "n" in r:
            by[(r["n"], r["run"])].append(r)
    sizes = sorted({r["n"] for r in runs if "n" in r})

    def field(n, run, f):
        return med([r.get(f) for r in by[(n, run)]])

    print(f"machine: {meta.get('machine')}; {meta.get('date')}; load at start {meta.get('load')}; "
          f"{meta.get('wrk')}; {meta.get('nginx')}; wrk -t2 -c{meta.get('connections')}, "
          f"{meta.get('duration_s')} s runs; floor as deployed {meta.get('floor_us')} µs\n")

    rows = []  # (label, goal, [value per size], numeric values for the ±15% column or None)

    def row(label, goal, cells, numbers=None):
        rows.append((label, goal, cells, numbers))

    fill = [field(n, "fill", "records_per_s") for n in sizes]
    row("store filled (records, through admission)", "", [k(field(n, "fill", "records")) for n in sizes])
    row("filling rate, records/s", "", [k(v) for v in fill])
    row("lookup answer / static file, bytes", "", [k(field(n, "answer", "bytes")) for n in sizes])
    static = [field(n, "static", "records_per_s") for n in sizes]
    row("nginx, static file: requests/s", "", [k(v) for v in static], static)
    for run, label in (("lookup", "lookup, floor as deployed"), ("lookup_nofloor", "lookup, floor 0")):
        rate = [field(n, run, "records_per_s") for n in sizes]
        row(f"{label}: requests/s", "", [k(v) for v in rate], rate)
        ratio = [r / s if r and s else None for r, s in zip(rate, static)]
        row(f"{label}: ÷ static", "≥ 0.50", [f"**{v:.2f}**" if v is not None else "-" for v in ratio], ratio)
        row(f"{label}: p50 / p99 ms at peak", "",
            [f"{ms(field(n, run, 'p50_ms'))} / {ms(field(n, run, 'p99_ms'))}" for n in sizes])
        half = f"{run}_half"
        p99 = [field(n, half, "p99_ms") for n in sizes]
        row(f"{label}: at half peak, target → got /s", "",
            [f"{k(field(n, half, 'target_rate'))} → {k(field(n, half, 'records_per_s'))}" for n in sizes])
        row(f"{label}: p50 / p99 ms at half peak", "p99 ≤ 5",
            [f"{ms(field(n, half, 'p50_ms'))} / **{ms(field(n, half, 'p99_ms'))}**" for n in sizes], p99)
        if run == "lookup":
            row("nginx paced to that same rate: p50 / p99 ms (this machine's tail)", "",
                [f"{ms(field(n, 'static_half', 'p50_ms'))} / {ms(field(n, 'static_half', 'p99_ms'))}"
                 for n in sizes])
    ingest = [field(n, "ingest", "records_per_s") for n in sizes]
    verify = [field(n, "verify", "records_per_s") for n in sizes]
    row("ingest, POST /v1/records?wait=commit: records/s", "", [k(v) for v in ingest], ingest)
    row("pharmacist verifications/s (signed, recorded)", "", [k(v) for v in verify], verify)
    ratio = [med([v["records_per_s"] / i["records_per_s"]
                  for i, v in zip(by[(n, "ingest")], by[(n, "verify")]) if i["records_per_s"]]) for n in sizes]
    row("verifications ÷ ingest (per round)", "≥ 0.80", [f"**{v:.2f}**" if v is not None else "-" for v in ratio],
        ratio)
    row("ingest / verify p50 / p99 ms", "",
        [f"{ms(field(n, 'ingest', 'p50_ms'))} / {ms(field(n, 'ingest', 'p99_ms'))}; "
         f"{ms(field(n, 'verify', 'p50_ms'))} / {ms(field(n, 'verify', 'p99_ms'))}" for n in sizes])
    page = [field(n, "audit_first_page", "p50_ms") for n in sizes]
    row("audit: first page (100 rows) of org/disinf-d, median / max ms", "≤ 10",
        [f"**{ms(p)}** / {ms(field(n, 'audit_first_page', 'max_ms'))}" for p, n in zip(page, sizes)], page)
    alone = [field(n, "commit_alone", "p50_ms") for n in sizes]
    row("one record committed alone (what a recorded read waits for), median / max ms", "",
        [f"{ms(a)} / {ms(field(n, 'commit_alone', 'max_ms'))}" for a, n in zip(alone, sizes)], alone)
    csv = [field(n, "audit_csv", "rows_per_s") for n in sizes]
    row("audit: CSV export, rows/s (rows, pages of ≤ 20,000 per export)", "≥ 50k",
        [f"**{k(c)}** ({k(field(n, 'audit_csv', 'rows'))}, {k(field(n, 'audit_csv', 'pages'))})"
         for c, n in zip(csv, sizes)], csv)

    sized = [f"{n:,}" for n in sizes]
    compare = len(sizes) > 1
    print("| figure | " + " | ".join(sized) + " | goal |" + (f" {sized[-1]} ÷ {sized[0]} |" if compare else ""))
    print("| --- |" + " --- |" * (len(sizes) + 1) + (" --- |" if compare else ""))
    for label, goal, cells, numbers in rows:
        line = f"| {label} | " + " | ".join(cells) + f" | {goal} |"
        if compare:
            ok = numbers is not None and numbers[0] and numbers[-1] is not None
            line += f" {numbers[-1] / numbers[0]:.2f} |" if ok else " |"
        print(line)

    errors = defaultdict(int)
    for r in runs:
        for name, v in (r.get("errors") or {}).items():
            if v:
                errors[f"{r['run']} {name}"] += v
    print("\nNon-2xx answers and socket errors: " +
          (", ".join(f"{name} {v}" for name, v in errors.items()) if errors else "none"))


if __name__ == "__main__":
    main(sys.argv[1])
