#!/usr/bin/env python3
"""What RocksDB's flushes and compactions wrote, by column family, from a node's info log
(<data_dir>/db/LOG): `scripts/bench ingest --sustained` appends it to its table, so a run shows
which family's compactions cost what. Reads the EVENT_LOG_v1 lines RocksDB writes for every
flush and compaction; a job's family comes from its "[family] [JOB n]" lines.

    scripts/bench-ingest/rocksdb_log.py LOG [--over MB]

--over lists each compaction that wrote more than MB megabytes (default 40), with its end time
in seconds after the log's first event."""
import argparse
import json
import re
from collections import defaultdict

JOB = re.compile(r"\[(\w+)\] \[JOB (\d+)\]")
# A compaction that only moves files down a level writes no event with its family.
MOVED = re.compile(r"\[(\w+)\] Moved #(\d+) files to level-\d+ (\d+) bytes")


def read(path):
    events, family = [], {}
    moves = defaultdict(lambda: [0, 0])  # family -> files moved, bytes moved
    with open(path, errors="replace") as log:
        for line in log:
            m = MOVED.search(line)
            if m:
                moves[m.group(1)][0] += int(m.group(2))
                moves[m.group(1)][1] += int(m.group(3))
            m = JOB.search(line)
            if m:
                family.setdefault(int(m.group(2)), m.group(1))
            i = line.find("EVENT_LOG_v1 ")
            if i < 0:
                continue
            try:
                events.append(json.loads(line[i + len("EVENT_LOG_v1 "):]))
            except json.JSONDecodeError:
                continue  # a line cut short by a crash
    for e in events:
        if "cf_name" in e and "job" in e:
            family.setdefault(e["job"], e["cf_name"])
    return events, family, moves


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--over", type=float, default=40)
    args = ap.parse_args()
    try:
        events, family, moves = read(args.log)
    except OSError as e:
        print(f"No RocksDB info log to read: {e}.")
        return
    if not events:
        print(f"No flush or compaction events in {args.log}.")
        return
    t0 = min(e["time_micros"] for e in events)
    flushes = defaultdict(lambda: [0, 0, 0])  # family -> count, memtable bytes, file bytes
    flush_jobs = {e["job"] for e in events if e.get("event") == "flush_started"}
    compactions = defaultdict(lambda: [0, 0, 0.0, 0.0])  # family -> count, bytes, s, cpu s
    big = []
    for e in events:
        name = family.get(e.get("job"), "?")
        if e.get("event") == "flush_started":
            flushes[name][0] += 1
            flushes[name][1] += e.get("total_data_size", 0)
        elif e.get("event") == "table_file_creation" and e.get("job") in flush_jobs:
            flushes[name][2] += e.get("file_size", 0)
        elif e.get("event") == "compaction_finished":
            c = compactions[name]
            out = e.get("total_output_size", 0)
            c[0] += 1
            c[1] += out
            c[2] += e.get("compaction_time_micros", 0) / 1e6
            c[3] += e.get("compaction_time_cpu_micros", 0) / 1e6
            if out > args.over * 1e6:
                big.append(((e["time_micros"] - t0) / 1e6, name, e.get("output_level"), out,
                            e.get("compaction_time_micros", 0) / 1e6))

    names = sorted(set(flushes) | set(compactions) | set(moves))
    print("| family | flushes | memtable MB flushed | MB flushes wrote | compactions | "
          "MB compactions wrote | their seconds | their CPU seconds | files moved down | MB moved |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    total = [0, 0, 0, 0, 0, 0.0, 0.0, 0, 0]
    for n in names:
        f, c, m = flushes[n], compactions[n], moves[n]
        print(f"| {n} | {f[0]} | {f[1] / 1e6:.1f} | {f[2] / 1e6:.1f} | {c[0]} | {c[1] / 1e6:.1f} | "
              f"{c[2]:.1f} | {c[3]:.1f} | {m[0]} | {m[1] / 1e6:.1f} |")
        for i, v in enumerate(f + c + m):
            total[i] += v
    print(f"| all | {total[0]} | {total[1] / 1e6:.1f} | {total[2] / 1e6:.1f} | {total[3]} | "
          f"{total[4] / 1e6:.1f} | {total[5]:.1f} | {total[6]:.1f} | {total[7]} | {total[8] / 1e6:.1f} |")
    span = (max(e["time_micros"] for e in events) - t0) / 1e6
    if span > 0:
        print(f"\nOver the {span:.0f} s the log covers, flushes and compactions wrote "
              f"{(total[2] + total[4]) / 1e6 / span:.1f} MB/s on average.")
    print("\nCompactions that moved files to another level without rewriting them write nothing: "
          f"they are the last two columns. Compactions that wrote over {args.over:.0f} MB (seconds after the log began, family, "
          "output level, MB, seconds): " +
          ("; ".join(f"{t:.0f} s {n} L{lvl} {b / 1e6:.0f} MB {s:.1f} s" for t, n, lvl, b, s in big)
           or "none") + ".")


if __name__ == "__main__":
    main()
