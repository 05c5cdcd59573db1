#!/usr/bin/env python3
"""Where a committed record's CPU goes, per node and component, from perf's folded stacks.

    python3 scripts/perf/components.py NAME:ROLE:CPU_MS_PER_RECORD:FOLDED...

Each argument is one node: its name, its Raft role, the CPU (user + system) it spent per
committed record over the profiled run (from /proc, scripts/bench-ingest/profile.sh), and its
samples as folded stacks (scripts/perf/flamegraph.py collapse). A sample belongs to the first
component in COMPONENTS whose patterns all match some frame of its stack, so the order runs
from the most specific (a signature checked inside apply) to the broadest (the thread it ran
on). A node's CPU per record is split in proportion to its samples; the last column adds the
three nodes up: the cluster's CPU per committed record.

Prints a Markdown table.
"""
import re
import sys

# (component, patterns that must all match a frame of the stack), most specific first.
COMPONENTS = [
    ("Ed25519: checkpoint signatures verified", [r"verify_checkpoint_(signatures|quorum)"]),
    ("Ed25519: checkpoint signed", [r"RaftDriver::sign_checkpoint"]),
    ("Ed25519: record signatures verified", [r"verify_envelope_signature|Ed25519Sha256::verify"]),
    ("envelope parse and checks (JSON payload)", [r"validate_envelope|parse_payload|screen_envelope|decode_envelope"]),
    ("fsync of the Raft log (RocksDB WAL sync)", [r"RocksDbLogStorage::sync|SyncWAL|FlushWAL"]),
    ("RocksDB: Raft log writes and reads", [r"RocksDbLogStorage::"]),
    ("RocksDB: apply's writes (block, leaves, Merkle, index, state)", [r"BlockApplier::apply", r"ChainStore::append_block"]),
    ("contracts: execution and state reads", [r"contracts::"]),
    ("apply: other (block assembly, Merkle, hashing)", [r"BlockApplier::apply"]),
    ("checkpoints: pool and quorum lookups", [r"CheckpointPool::"]),
    ("Raft core and proposal encode/decode", [r"consensus::|encode_proposal|decode_proposal"]),
    ("peer links: TLS and framing", [r"node::peer::|asio::ssl"]),
    ("record tracker and waiters", [r"RecordTracker::"]),
    ("admission queue", [r"Admission::|SubmissionQueue::"]),
    ("HTTP: read, parse, respond", [r"beast::http|node::http::"]),
    ("metrics and status", [r"refresh_status|api::.*metrics|prometheus"]),
    ("kernel: syscalls, network, scheduling", [r"_\[k\]$"]),
    ("other: Raft driver thread", [r"^raft-driver$"]),
    ("other: verification pool threads", [r"^verify-\d+$"]),
    ("other: HTTP and peer I/O threads", [r"^io-\d+$"]),
    ("other", [r""]),
]
COMPILED = [(name, [re.compile(p) for p in patterns]) for name, patterns in COMPONENTS]


def component_of(frames):
    for name, patterns in COMPILED:
        if all(any(p.search(f) for f in frames) for p in patterns):
            return name
    return "other"


def read_node(path):
    counts = {}
    total = 0
    with open(path) as f:
        for line in f:
            stack, _, n = line.rstrip("\n").rpartition(" ")
            if not stack or not n.isdigit():
                continue
            name = component_of(stack.split(";"))
            counts[name] = counts.get(name, 0) + int(n)
            total += int(n)
    return counts, total


def main(argv):
    if not argv:
        sys.exit(__doc__)
    nodes = []
    for arg in argv:
        try:
            name, role, cpu, path = arg.split(":", 3)
            cpu_ms = float(cpu)
        except ValueError:
            sys.exit(f"components: {arg!r} is not NAME:ROLE:CPU_MS_PER_RECORD:FOLDED")
        counts, total = read_node(path)
        if total == 0:
            sys.exit(f"components: {path} holds no samples")
        nodes.append((f"{name} ({role})", cpu_ms, counts, total))

    header = ["component"] + [f"{n} ms/record (share)" for n, *_ in nodes] + ["cluster ms/record"]
    print("| " + " | ".join(header) + " |")
    print("| " + " | ".join(["---"] + ["---:"] * (len(header) - 1)) + " |")
    rows = []
    for name, _ in COMPONENTS:
        cells, cluster = [], 0.0
        for _, cpu_ms, counts, total in nodes:
            share = counts.get(name, 0) / total
            cells.append(f"{cpu_ms * share:.3f} ({share * 100:.1f}%)")
            cluster += cpu_ms * share
        if cluster > 0:
            rows.append((cluster, name, cells))
    for cluster, name, cells in sorted(rows, key=lambda r: -r[0]):
        print(f"| {name} | " + " | ".join(cells) + f" | {cluster:.3f} |")
    totals = [f"**{cpu_ms:.3f}** ({total} samples)" for _, cpu_ms, _, total in nodes]
    print("| **all** | " + " | ".join(totals) + f" | **{sum(n[1] for n in nodes):.3f}** |")


if __name__ == "__main__":
    main(sys.argv[1:])
