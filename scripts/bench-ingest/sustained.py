#!/usr/bin/env python3
"""The table of `scripts/bench ingest --sustained` (scripts/bench-ingest/sustained.sh) from its
results.jsonl: the run, its 30 s windows, each node's CPU, memory and RocksDB write
amplification over time, its heap and Raft log sync time (from builds that report them), and
verify-chain's verdict on every node.

"Flat" is judged by thirds of the run: the median p99 of the last third's windows against the
first third's; CPU per record, memory and write amplification over each third. Samples carry
the sampler's clock, which started while the load generator was still signing; they are moved
onto the run's clock by the report's "signing_s", and the samples before the run are left out
(the first in-run sample is the baseline)."""
import json
import statistics
import sys
from collections import defaultdict

WRITTEN = ("user_bytes", "wal_bytes", "table_bytes")


def med(values):
    return statistics.median(values) if values else float("nan")


def mib(v):
    return f"{v / 2**20:.0f} MiB"


def ratio(a, b, fmt="{:.2f}"):
    return fmt.format(a / b) if b else "n/a"


def write_amp(a, b):
    """(WAL + table bytes) ÷ user bytes written between samples a and b."""
    d = {k: b[k] - a[k] for k in WRITTEN}
    return ratio(d["wal_bytes"] + d["table_bytes"], d["user_bytes"])


def sync_ms(a, b, raw=False):
    """Mean milliseconds per Raft log sync between samples a and b (None, or n/a, for none)."""
    n = b["fsyncs"] - a["fsyncs"]
    ms = (b["fsync_s"] - a["fsync_s"]) * 1000 / n if n > 0 else None
    if raw:
        return ms
    return "n/a" if ms is None else f"{ms:.1f}"


def nearest(samples, t):
    return min(samples, key=lambda s: abs(s["t_run"] - t))


def main(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    meta = next((r for r in rows if r.get("system") == "meta"), {})
    run = next((r for r in rows if r.get("setting") == "sustained" and r.get("system") == "medtrail"), None)
    if run is None:
        sys.exit("sustained.py: no sustained run in " + path)
    signing = run.get("signing_s", 0)
    samples = defaultdict(list)  # node -> in-run samples, in the order taken
    for r in rows:
        if r.get("system") == "medtrail-sample":
            r["t_run"] = r["t_s"] - signing
            samples[r["node"]].append(r)
    for node in samples:
        before = [s for s in samples[node] if s["t_run"] < 0]
        during = [s for s in samples[node] if s["t_run"] >= 0]
        samples[node] = before[-1:] + during  # the last sample before the run is its baseline
    verdicts = [r for r in rows if r.get("system") == "verify-chain"]

    print(f"machine: {meta.get('machine')}; {meta.get('date')}; load at start {meta.get('load')}\n")
    print(f"Peak (closed loop, {run['concurrency']} connections, best of 2): {run['peak']:.0f} records/s. "
          f"Offered {run['rate']:.0f} records/s ({run['fraction']} of it) for {run['seconds']:.0f} s "
          f"(after {signing:.0f} s of signing): {run['committed']} committed, {run['records_per_s']:.0f} records/s, "
          f"errors {run['errors'] or 'none'}; p50 {run['p50_ms']} ms, p99 {run['p99_ms']} ms, max {run['max_ms']} ms; "
          f"server CPU {run.get('server_cpu_ms_per_record')} ms per record.\n")

    windows = run.get("windows", [])
    print("| window (s) | records/s | p50 ms | p99 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for w in windows:
        print(f"| {w['from_s']:.0f}–{w['to_s']:.0f} | {w['records_per_s']:.0f} | {w['p50_ms']} | "
              f"{w['p99_ms']} | {w['max_ms']} |")
    if len(windows) >= 3:
        n = len(windows) // 3
        parts = (windows[:n], windows[n:len(windows) - n], windows[len(windows) - n:])
        p99 = [med([w["p99_ms"] for w in part]) for part in parts]
        rate = [med([w["records_per_s"] for w in part]) for part in parts]
        print(f"\nBy thirds of the run: median p99 {p99[0]:.1f} / {p99[1]:.1f} / {p99[2]:.1f} ms "
              f"(last ÷ first {ratio(p99[2], p99[0])}); median records/s "
              f"{rate[0]:.0f} / {rate[1]:.0f} / {rate[2]:.0f}.")

    nodes = sorted(samples)
    if not nodes or any(len(samples[n]) < 4 for n in nodes):
        print("\nToo few samples for figures by thirds (a sample every 15 s; the run needs a minute).")
    else:
        end = max(samples[n][-1]["t_run"] for n in nodes)
        cuts = [0, end / 3, 2 * end / 3, end]
        per = []
        for a, b in zip(cuts, cuts[1:]):
            total = 0.0
            for n in nodes:  # each node's CPU per record it added; their sum is the cluster's
                sa, sb = nearest(samples[n], a), nearest(samples[n], b)
                leaves = sb["leaves"] - sa["leaves"]
                total += (sb["cpu_s"] - sa["cpu_s"]) * 1000 / leaves if leaves > 0 else float("nan")
            per.append(f"{total:.2f}")
        print(f"\nServer CPU per committed record (all nodes), by thirds of the run: {' / '.join(per)} ms.")

        print("\n| node | resident memory: start / ⅓ / end | growth over the last ⅔ | RocksDB memtables / block "
              "cache / table readers at end | on disk at end | write amplification: the run / by thirds |")
        print("| --- | --- | ---: | --- | ---: | --- |")
        for n in nodes:
            s = samples[n]
            at = [nearest(s, t) for t in cuts]
            last = s[-1]
            growth = ratio((last["rss_kib"] - at[1]["rss_kib"]) * 100, at[1]["rss_kib"], "{:+.1f}%")
            thirds = " / ".join(write_amp(a, b) for a, b in zip(at, at[1:]))
            print(f"| {n} | {mib(s[0]['rss_kib'] * 1024)} / {mib(at[1]['rss_kib'] * 1024)} / "
                  f"{mib(last['rss_kib'] * 1024)} | {growth} | {mib(last['memtable_bytes'])} / "
                  f"{mib(last['block_cache_bytes'])} / {mib(last['table_reader_bytes'])} | {mib(last['disk_bytes'])} "
                  f"| {write_amp(s[0], last)} / {thirds} |")
        print("\nWrite amplification: (WAL bytes + table bytes flushes and compactions wrote) ÷ bytes the "
              "node's write batches carried, between the samples.")
        if all(samples[n][-1].get("heap_bytes") is not None for n in nodes):
            heap = "; ".join(f"{n} {mib(samples[n][-1]['heap_bytes'])} / {mib(samples[n][-1]['heap_free_bytes'])}"
                             for n in nodes)
            print(f"\nHeap at the end, in use / freed and kept by the allocator: {heap}.")
        if all(s.get("fsyncs") is not None for n in nodes for s in samples[n]):
            syncs = []
            for n in nodes:
                s = samples[n]
                at = [nearest(s, t) for t in cuts]
                thirds = " / ".join(sync_ms(a, b) for a, b in zip(at, at[1:]))
                spans = [(sync_ms(a, b, raw=True), b["t_run"]) for a, b in zip(s, s[1:])]
                worst = max((w for w in spans if w[0] is not None), default=None)
                syncs.append(f"{n} {thirds}" + (f" (worst interval between samples: {worst[0]:.1f} ms, "
                                                 f"ending at {worst[1]:.0f} s)" if worst else ""))
            print(f"\nRaft log sync, mean ms per sync by thirds of the run: {'; '.join(syncs)}.")

    print()
    for v in verdicts:
        print(f"- verify-chain {v['node']}: {'valid' if v['ok'] else 'FAILED'} ({v['last_line']})")


if __name__ == "__main__":
    main(sys.argv[1])
