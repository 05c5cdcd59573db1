#!/usr/bin/env python3
"""Tables for docs/benchmarks.md from scripts/bench ingest's results.jsonl (one run a line).

Medians over rounds; ratios are medians of per-round ratios (both systems ran in the same
round, so they share its noise)."""
import json
import statistics
import sys
from collections import defaultdict


def med(values):
    return statistics.median(values) if values else float("nan")


def k(v):
    return f"{v / 1000:.2f}k" if v >= 1000 else f"{v:.0f}"


def main(path):
    runs = [json.loads(line) for line in open(path) if line.strip()]
    meta = next((r for r in runs if r.get("system") == "meta"), {})
    verify = [r for r in runs if r.get("system") == "verify"]
    main_runs = [r for r in runs if r.get("setting") == "default" and r.get("system") in ("medtrail", "etcd")]
    sweep = [r for r in runs if r.get("system") == "medtrail" and r.get("setting") not in (None, "default")]

    print(f"machine: {meta.get('machine')}; {meta.get('date')}; load at start {meta.get('load')}; "
          f"{meta.get('etcd')}; {meta.get('rounds')} rounds of {meta.get('duration_s')} s runs\n")

    by = defaultdict(dict)  # (system, mode, concurrency) -> round -> run
    for r in main_runs:
        by[(r["system"], r["mode"], r["concurrency"])][r["round"]] = r

    print("| concurrency | medtrail records/s | etcd puts/s | ratio (goal ≥ 2) | medtrail p50 / p99 ms "
          "| etcd p50 / p99 ms | p99 ratio (goal < 1) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    peaks = {}
    for c in sorted({key[2] for key in by if key[0] == "etcd"}):
        m, e = by[("medtrail", "closed", c)], by[("etcd", "closed", c)]
        rounds = sorted(set(m) & set(e))
        mr = [m[i]["records_per_s"] for i in rounds]
        er = [e[i]["records_per_s"] for i in rounds]
        peaks[c] = med(mr)
        ratio = med([m[i]["records_per_s"] / e[i]["records_per_s"] for i in rounds if e[i]["records_per_s"]])
        p99r = med([m[i]["p99_ms"] / e[i]["p99_ms"] for i in rounds if e[i]["p99_ms"]])
        print(f"| {c} | {k(med(mr))} | {k(med(er))} | **{ratio:.2f}** "
              f"| {med([m[i]['p50_ms'] for i in rounds]):.1f} / {med([m[i]['p99_ms'] for i in rounds]):.1f} "
              f"| {med([e[i]['p50_ms'] for i in rounds]):.1f} / {med([e[i]['p99_ms'] for i in rounds]):.1f} "
              f"| **{p99r:.2f}** |")

    if any(r.get("server_cpu_ms_per_record") for r in main_runs):
        print("\nServer CPU (user + system, all three processes) per committed record, closed loop:\n")
        print("| concurrency | medtrail ms/record | etcd ms/record |")
        print("| --- | --- | --- |")
        for c in sorted({key[2] for key in by if key[0] == "etcd"}):
            vals = [med([r["server_cpu_ms_per_record"] for r in by[(s, "closed", c)].values()
                         if r.get("server_cpu_ms_per_record")]) for s in ("medtrail", "etcd")]
            print(f"| {c} | {vals[0]:.3f} | {vals[1]:.3f} |")

    print("\nPer round (records/s, medtrail / etcd):")
    for c in sorted({key[2] for key in by if key[0] == "etcd"}):
        m, e = by[("medtrail", "closed", c)], by[("etcd", "closed", c)]
        cells = [f"r{i}: {k(m[i]['records_per_s'])} / {k(e[i]['records_per_s'])}" for i in sorted(set(m) & set(e))]
        print(f"- {c}: " + ", ".join(cells))

    print("\nmedtrail open loop at 50% of the round's closed-loop peak (latency from the intended send time):\n")
    print("| concurrency | offered records/s | committed records/s | p50 ms | p90 ms | p99 ms | server CPU ms/record |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for (system, mode, c), rs in sorted(by.items()):
        if system != "medtrail" or mode != "open":
            continue
        rs = list(rs.values())
        print(f"| {c} | {k(med([r['rate'] for r in rs]))} | {k(med([r['records_per_s'] for r in rs]))} "
              f"| {med([r['p50_ms'] for r in rs]):.1f} | {med([r['p90_ms'] for r in rs]):.1f} "
              f"| {med([r['p99_ms'] for r in rs]):.1f} "
              f"| {med([r.get('server_cpu_ms_per_record') or 0 for r in rs]):.2f} |")

    if verify:
        limit = med([v["verifications_per_s"] for v in verify])
        threads = verify[0]["threads"]
        print(f"\nRaw limit: {k(limit)} Ed25519 verifications/s on {threads} threads; "
              f"a 3-node cluster on these cores can commit at most limit / 3 = {k(limit / 3)} records/s.\n")
        print("| concurrency | medtrail records/s × 3 / limit (goal ≥ 0.70) |")
        print("| --- | --- |")
        for c, peak in sorted(peaks.items()):
            print(f"| {c} | **{peak * 3 / limit:.2f}** |")

    print("\nErrors and retries over all runs:\n")
    totals = defaultdict(lambda: defaultdict(int))
    for r in runs:
        if r.get("system") not in ("medtrail", "etcd"):
            continue
        t = totals[r["system"]]
        t["records"] += r["records"]
        t["committed"] += r["committed"]
        for code, n in r.get("errors", {}).items():
            if n:
                t["error " + code] += n
        for code, n in r.get("retries", {}).items():
            t["retry " + code] += n
    for system, t in totals.items():
        print(f"- {system}: " + ", ".join(f"{name} {n}" for name, n in t.items()))

    metrics = [r for r in runs if r.get("system") == "medtrail-metrics"]
    if metrics:
        print("\nmedtrail Raft counters per cluster (whole cluster lifetime, from /metrics):\n")
        print("| setting | records per proposal (leader) | leader syncs | mean sync ms (leader / followers) |")
        print("| --- | --- | --- | --- |")
        for s in dict.fromkeys(r["setting"] for r in metrics):
            ms = [r for r in metrics if r["setting"] == s]
            leader = next((r for r in ms if r["leader"]), None)
            followers = [r for r in ms if not r["leader"]]
            if not leader:
                continue
            per = leader["records_proposed"] / leader["proposals"] if leader["proposals"] else 0
            lsync = 1000 * leader["fsync_s"] / leader["fsyncs"] if leader["fsyncs"] else 0
            fsync = med([1000 * r["fsync_s"] / r["fsyncs"] for r in followers if r["fsyncs"]])
            print(f"| {s} | {per:.1f} | {leader['fsyncs']} | {lsync:.1f} / {fsync:.1f} |")

    if sweep:
        print("\nNode settings (fresh cluster each, one run each; open loop latency from the intended send time):\n")
        print("| setting | c=64 records/s | c=64 p50 / p99 ms | c=256 records/s | c=256 p50 / p99 ms "
              "| open loop c=64: offered → committed/s | open p50 / p99 ms | CPU ms/record closed 256 / open |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for s in dict.fromkeys(r["setting"] for r in sweep):
            def find(mode, c):
                return next((r for r in sweep if r["setting"] == s and r["mode"] == mode and r["concurrency"] == c), None)
            cells = []
            for r in (find("closed", 64), find("closed", 256)):
                cells += [k(r["records_per_s"]), f"{r['p50_ms']:.1f} / {r['p99_ms']:.1f}"] if r else ["-", "-"]
            o = find("open", 64)
            cells += [f"{k(o['rate'])} → {k(o['records_per_s'])}", f"{o['p50_ms']:.1f} / {o['p99_ms']:.1f}"] if o else ["-", "-"]
            c256 = find("closed", 256)
            cpu = lambda r: f"{r['server_cpu_ms_per_record']:.2f}" if r and r.get("server_cpu_ms_per_record") else "-"
            cells.append(f"{cpu(c256)} / {cpu(o)}")
            print(f"| {s} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
