#pragma once
// The HTTP side of `medtrail load`: keep-alive connections spread over the nodes' API URLs,
// each carrying one `POST /v1/records?wait=commit` at a time, on one or two asio threads so
// the generator leaves the cores to the nodes it measures.

#include <chrono>
#include <string>
#include <vector>

#include "load_report.h"
#include "node_url.h"
#include "medtrail/ledger/status.h"

namespace medtrail::cli {

using LoadTarget = NodeUrl;  // parse_node_url (node_url.h)

struct DriveOptions {
  std::vector<LoadTarget> targets;
  size_t concurrency = 64;  // connections, connection k to targets[k % targets.size()]
  size_t threads = 1;
  // 0: closed loop (every connection sends its next record as soon as it is answered).
  // > 0: open loop; record i is due at start + i / rate, and its latency counts from then,
  // so time spent waiting for a free connection is not hidden (no coordinated omission).
  double rate = 0;
  std::chrono::milliseconds duration{10000};  // no record starts after this
  std::chrono::milliseconds io_timeout{30000};
};

struct DriveResult {
  LoadStats stats;
  double seconds = 0;      // from the first send to the last answer
  bool exhausted = false;  // the bodies ran out before `duration`: sign more next time
};

// Connects every connection, then starts the clock and sends `bodies` (wire envelopes) in
// order until they run out or `duration` passes; records in flight are waited for. 429 and
// 503 answers are retried on the same connection after their Retry-After delay while the
// run lasts.
ledger::Result<DriveResult> drive_load(const DriveOptions& options,
                                       const std::vector<std::string>& bodies);

}  // namespace medtrail::cli
