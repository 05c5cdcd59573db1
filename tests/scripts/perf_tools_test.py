#!/usr/bin/env python3
"""The profiling tools of scripts/bench ingest --profile (scripts/perf/): perf's text becomes
folded stacks rooted at the thread, the flame graph is well-formed SVG holding every frame, and
the component table splits a node's CPU per record by its samples. They run only when someone
profiles, so this keeps them from rotting unnoticed."""
import subprocess
import sys
import xml.dom.minidom
from pathlib import Path

PERF = Path(__file__).resolve().parents[2] / "scripts" / "perf"

# `perf script` text: three samples of the Raft driver (two alike), one of an io thread with a
# kernel frame, a line perf prints that is no sample.
PERF_SCRIPT = """\
raft-driver 100/101 10.000001:    5025125 cpu-clock:ppp: 
\t    55d0c0a1b2c3 crypto_sign_verify_detached+0x1f (/usr/lib/x86_64-linux-gnu/libsodium.so.23.3.0)
\t    55d0c0a1b2c4 medtrail::ledger::verify_checkpoint_signatures(medtrail::ledger::CryptoSuite const&, medtrail::ledger::SignedCheckpoint const&)+0x10 (/b/medtrail-node)
\t    55d0c0a1b2c5 medtrail::node::RaftDriver::run()+0x5 (/b/medtrail-node)

raft-driver 100/101 10.000002:    5025125 cpu-clock:ppp: 
\t    55d0c0a1b2c3 crypto_sign_verify_detached+0x1f (/usr/lib/x86_64-linux-gnu/libsodium.so.23.3.0)
\t    55d0c0a1b2c4 medtrail::ledger::verify_checkpoint_signatures(medtrail::ledger::CryptoSuite const&, medtrail::ledger::SignedCheckpoint const&)+0x10 (/b/medtrail-node)
\t    55d0c0a1b2c5 medtrail::node::RaftDriver::run()+0x5 (/b/medtrail-node)

raft-driver 100/101 10.000003:    5025125 cpu-clock:ppp: 
\t    55d0c0a1b2d0 rocksdb::MemTable::Add(unsigned long)+0x3 (/usr/lib/x86_64-linux-gnu/librocksdb.so.7.8)
\t    55d0c0a1b2d1 medtrail::ledger::ChainStore::append_block(medtrail::ledger::BlockDraft const&)+0x9 (/b/medtrail-node)
\t    55d0c0a1b2d2 medtrail::node::BlockApplier::apply(medtrail::ledger::Proposal const&, unsigned long, unsigned long)+0x9 (/b/medtrail-node)
\t    55d0c0a1b2c5 medtrail::node::RaftDriver::run()+0x5 (/b/medtrail-node)

io-1 100/102 10.000004:    5025125 cpu-clock:ppp: 
\tffffffff8160a3a3 tcp_sendmsg+0x83 ([kernel.kallsyms])
\t    55d0c0a1b2e0 [unknown] (/usr/lib/x86_64-linux-gnu/libc.so.6)

Warning: 3 samples lost
"""

EXPECTED_FOLDED = {
    "io-1;[unknown] (libc.so.6);tcp_sendmsg_[k]": 1,
    "raft-driver;medtrail::node::RaftDriver::run;medtrail::ledger::verify_checkpoint_signatures;"
    "crypto_sign_verify_detached": 2,
    "raft-driver;medtrail::node::RaftDriver::run;medtrail::node::BlockApplier::apply;"
    "medtrail::ledger::ChainStore::append_block;rocksdb::MemTable::Add": 1,
}


def run(args, stdin=""):
    done = subprocess.run([sys.executable, *args], input=stdin, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        sys.exit(f"perf_tools_test: {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done.stdout


def main() -> int:
    failures = []
    folded_text = run([str(PERF / "flamegraph.py"), "collapse"], PERF_SCRIPT)
    folded = {}
    for line in folded_text.splitlines():
        stack, _, n = line.rpartition(" ")
        folded[stack] = int(n)
    if folded != EXPECTED_FOLDED:
        failures.append(f"collapse gave {folded}, expected {EXPECTED_FOLDED}")

    svg = run([str(PERF / "flamegraph.py"), "svg", "--title", "test <node>"], folded_text)
    try:
        doc = xml.dom.minidom.parseString(svg)
        titles = [t.firstChild.data for t in doc.getElementsByTagName("title") if t.firstChild]
        for frame in ("raft-driver", "crypto_sign_verify_detached", "rocksdb::MemTable::Add", "tcp_sendmsg_[k]"):
            if not any(t.startswith(frame + " (") for t in titles):
                failures.append(f"the flame graph has no frame {frame!r}")
    except Exception as e:  # noqa: BLE001 - any parse error is the failure being tested
        failures.append(f"the flame graph is not well-formed XML: {e}")

    folded_path = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp") / "perf_tools_test.folded"
    folded_path.write_text(folded_text)
    table = run([str(PERF / "components.py"), f"node-1:leader:0.4:{folded_path}"])
    folded_path.unlink()
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = cells[1]
    expected_rows = {  # 0.4 ms per record over 4 samples
        "Ed25519: checkpoint signatures verified": "0.200 (50.0%)",
        "RocksDB: apply's writes (block, leaves, Merkle, index, state)": "0.100 (25.0%)",
        "kernel: syscalls, network, scheduling": "0.100 (25.0%)",
        "**all**": "**0.400** (4 samples)",
    }
    if rows != expected_rows:
        failures.append(f"components.py gave {rows}, expected {expected_rows}")

    for f in failures:
        print("perf_tools_test: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
