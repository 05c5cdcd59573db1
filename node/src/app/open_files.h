#pragma once
// The node's file descriptors: every HTTP connection is one, and so are RocksDB's files and the
// peer links. A shell or a systemd unit gives a process 1,024 by default, fewer than the two
// listeners' caps alone, while the hard limit is usually far higher: the node raises its own
// soft limit toward what its configuration needs, as far as the hard limit allows.
#include <cstdint>

namespace medtrail::node {

struct OpenFileLimit {
  uint64_t needed = 0;
  uint64_t soft = 0;  // in force after raising
  uint64_t hard = 0;
  bool enough() const { return soft >= needed; }
};

// Raises the soft RLIMIT_NOFILE to `needed` (never lowers it; capped by the hard limit).
OpenFileLimit raise_open_file_limit(uint64_t needed);

}  // namespace medtrail::node
