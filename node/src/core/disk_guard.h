#pragma once
// The node stops itself before its disk is full. A write RocksDB cannot complete does not come
// back as an error with Debian's librocksdb: that build keeps RocksDB's assertions, and a failed
// WAL write aborts the process inside RocksDB (docs/reliability.md, "Disks"). So the node
// watches the free space of its data directory and, below [storage] min_free_mb, refuses to
// start or stops cleanly ("stopped on a failure", exit 2) while every write still succeeds.
#include <cstdint>
#include <string>

#include "medtrail/ledger/status.h"

namespace medtrail::node {

// Bytes an unprivileged process may still write on the file system holding `path`.
ledger::Result<uint64_t> free_bytes(const std::string& path);

// `disk_full` when less than `min_bytes` are free (naming both), `io_error` when the file system
// cannot be asked; ok when min_bytes is 0.
ledger::Status check_free_space(const std::string& path, uint64_t min_bytes);

}  // namespace medtrail::node
